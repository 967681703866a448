from setuptools import find_packages, setup

package_name = 'karma_memory_ros'

setup(
    name=package_name,
    version='0.1.0',
    packages=find_packages(exclude=['test']),
    data_files=[
        ('share/ament_index/resource_index/packages', ['resource/' + package_name]),
        ('share/' + package_name, ['package.xml']),
    ],
    install_requires=['setuptools'],
    zip_safe=True,
    maintainer='KARMA-ROS maintainers',
    maintainer_email='maintainers@karma-ros.dev',
    description='KARMA-ROS memory nodes: long-term (ltm_node) and short-term (stm_node).',
    license='Apache-2.0',
    entry_points={
        'console_scripts': [
            'ltm_node = karma_memory_ros.ltm_node:main',
            'stm_node = karma_memory_ros.stm_node:main',
        ],
    },
)

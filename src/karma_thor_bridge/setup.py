from setuptools import find_packages, setup

package_name = 'karma_thor_bridge'

setup(
    name=package_name,
    version='0.1.0',
    packages=find_packages(exclude=['test']),
    data_files=[
        ('share/ament_index/resource_index/packages', ['resource/' + package_name]),
        ('share/' + package_name, ['package.xml']),
    ],
    install_requires=['setuptools'],
    extras_require={'test': ['pytest']},   # colcon test runs test/
    zip_safe=True,
    maintainer='KARMA-ROS maintainers',
    maintainer_email='maintainers@karma-ros.dev',
    description='AI2-THOR simulator bridge for KARMA-ROS (perception, skills, ground truth).',
    license='Apache-2.0',
    entry_points={'console_scripts': ['bridge_node = karma_thor_bridge.bridge_node:main']},
)

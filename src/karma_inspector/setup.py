from setuptools import find_packages, setup

package_name = 'karma_inspector'

setup(
    name=package_name,
    version='0.1.0',
    packages=find_packages(exclude=['test']),
    package_data={'karma_inspector': ['web/*']},
    data_files=[
        ('share/ament_index/resource_index/packages', ['resource/' + package_name]),
        ('share/' + package_name, ['package.xml']),
    ],
    install_requires=['setuptools'],
    extras_require={'test': ['pytest']},   # colcon test runs test/
    zip_safe=False,
    maintainer='KARMA-ROS maintainers',
    maintainer_email='maintainers@karma-ros.dev',
    description='KARMA-ROS recording/replay (MCAP), live web inspector, Spark-DSG interop.',
    license='Apache-2.0',
    entry_points={
        'console_scripts': [
            'recorder_node = karma_inspector.recorder_node:main',
            'inspector_node = karma_inspector.inspector_node:main',
        ],
    },
)

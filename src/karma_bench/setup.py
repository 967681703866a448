from setuptools import find_packages, setup

package_name = 'karma_bench'

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
    description='KARMA-ROS benchmarks, the demo and the karma command line (suites, goal checker, reports).',
    license='Apache-2.0',
    entry_points={'console_scripts': ['karma = karma_bench.cli:main']},
)

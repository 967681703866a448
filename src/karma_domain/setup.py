from setuptools import find_packages, setup

package_name = 'karma_domain'

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
    description='KARMA-ROS domain model (one definition of each piece of domain knowledge).',
    license='Apache-2.0',
)

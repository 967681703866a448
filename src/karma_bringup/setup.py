import os

from setuptools import find_packages, setup

package_name = 'karma_bringup'

# The repository's top-level launch/ and config/ stay the single source; this package reaches
# them through its own symlinks top-launch -> ../../launch and top-config -> ../../config (names
# no import can mistake for the `launch` package) and installs them into share/karma_bringup/
# launch and config, where an installed stack finds them through the ament index
# (`ros2 launch karma_bringup karma.launch.py`). Paths stay inside the package because colcon
# wants them relative and joins them lexically (the workspace reaches src/ by a symlink too).
here = os.path.dirname(os.path.abspath(__file__))


def tree(folder: str, installed_as: str) -> list[tuple[str, list[str]]]:
    """data_files entries installing every file under ``folder`` into share/<pkg>/installed_as."""
    out: dict[str, list[str]] = {}
    for dirpath, dirnames, filenames in os.walk(os.path.join(here, folder), followlinks=True):
        dirnames[:] = sorted(d for d in dirnames if d != '__pycache__')
        rel = os.path.relpath(dirpath, here)
        dest = os.path.normpath(os.path.join(installed_as, os.path.relpath(rel, folder)))
        out[f'share/{package_name}/{dest}'] = [os.path.join(rel, f) for f in sorted(filenames)]
    return sorted((k, v) for k, v in out.items() if v)


setup(
    name=package_name,
    version='0.1.0',
    packages=find_packages(exclude=['test']),
    data_files=[
        ('share/ament_index/resource_index/packages', ['resource/' + package_name]),
        ('share/' + package_name, ['package.xml']),
        *tree('top-launch', 'launch'),
        *tree('top-config', 'config'),
    ],
    install_requires=['setuptools', 'pyyaml'],
    zip_safe=True,
    maintainer='KARMA-ROS maintainers',
    maintainer_email='maintainers@karma-ros.dev',
    description='KARMA-ROS bringup: CLI, process supervisor, stack description, launch and '
                'parameter files.',
    license='Apache-2.0',
)

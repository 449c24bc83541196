# The egg scrapyd-deploy builds: a settings shim only (see scrapy.cfg).
from setuptools import setup

setup(
    name="organwatch-scrapyd",
    version="1.0",
    packages=["organwatch_scrapyd"],
    entry_points={"scrapy": ["settings = organwatch_scrapyd.settings"]},
)

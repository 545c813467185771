"""Spiders of the newsclean Scrapy project."""

"""The newsclean Scrapy project: the `news` spider fetches and routes, pipelines clean and store."""

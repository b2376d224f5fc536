"""As-Is against To-Be: the diff of two variants and the redesigns it applies."""

"""Soup Daily: a fixture news site whose markup says nothing (see ``page``), for the extractor's caption,
credit and site-level tests: hashed class names that change on every page, captions and credits in the
same tags as the body's paragraphs, stock captions recurring across pages.

``truth`` says what each page holds; ``serve_soup`` serves it over HTTP; ``config`` writes its site file.
"""

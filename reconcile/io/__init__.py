"""Reading input and writing output atomically: the first and last stage of every command.

``read`` is the one reader (files, folders, stdin, web addresses, pages, feeds,
tables, gzip, any encoding) that ``compare``, ``scan`` and ``dedup`` share;
``fields`` holds its options and the one field mapping; ``formats`` the readers
of each format; ``lines`` the streamed JSON Lines; ``fetch`` web addresses;
``atomic`` the one atomic writer.
"""

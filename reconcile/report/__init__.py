"""What a run writes: JSON, Markdown, text, HTML pages and tables."""

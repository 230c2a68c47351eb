"""Writing workbooks: the return itself, atomic saves, encryption."""

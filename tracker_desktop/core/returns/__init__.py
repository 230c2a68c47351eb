"""What a return is: its definition, its template workbook, its file name and its scope."""

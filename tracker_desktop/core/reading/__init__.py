"""Reading a school's export (CSV, Excel, Common Transfer File) into a Table of text cells."""

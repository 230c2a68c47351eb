"""Single values: dates and the academic calendar, cleaning, phone numbers, UPN/ULN."""

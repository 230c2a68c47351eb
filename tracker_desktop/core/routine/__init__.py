"""The office's routine around the returns: history, deadlines status, rolls, summaries."""

"""Live TT in users' words: reading, naming, ids, the inspect overview."""

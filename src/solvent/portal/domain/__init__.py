"""Pure portal rules (no Django here; import-linter checks it): the link's check and its limits
(check.py), what an upload may be (documents.py), how typed values are read (forms.py), one-time
form keys against double submissions (form_keys.py), the page's words in English and Spanish
(texts.py), and the chat's rules (chat.py)."""

"""The drag-to-edit skeleton editor: editor.js (the page side), protocol.py (the messages between the
page and python) and widget.py (its place in a gradio Blocks)."""

"""ICS evidence assistant: the browser chat. `make run` serves it on http://127.0.0.1:8501.

The pages live in assistant/pages/: "Ask" (chat with cited answers) and "Sources" (what is indexed,
full text with deep links ?doc=…&start=…&end=…). Heavy objects are shared per process
(assistant/pages/common.py); each browser session has its own conversation.
"""

import streamlit as st

st.set_page_config(page_title="ICS evidence assistant", page_icon="⚖️", layout="wide")  # emoji, not :material: (fetched online)

pages = [
    st.Page("assistant/pages/chat.py", title="Ask", icon=":material/forum:", default=True),
    st.Page("assistant/pages/sources.py", title="Sources", icon=":material/library_books:", url_path="sources"),
]
st.navigation(pages).run()

"""The PoseFill tab: state and actions (state, handlers, view), inputs (uploads, decode, detect), and the
gradio Blocks (blocks; gradio imported only when it is built). The same tab runs in the WebUI and standalone."""

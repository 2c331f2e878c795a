"""PoseFill's command-line options for the WebUI (read by lib_posefill.hosts.webui.apply_command_line)."""


def preload(parser):
    parser.add_argument(
        "--posefill-model",
        type=str,
        default=None,
        help="PoseFill: path to the completion model (.onnx); default: the model shipped in models/",
    )

"""PoseFill inside other programs: the ControlNet preprocessor variants, the WebUI wiring and the HTTP API.

``wrapper`` and ``variants`` are host-agnostic; ``controlnet`` (sd-webui-controlnet) and ``forge``
(Forge's built-in ControlNet) adapt them to a preprocessor registry; ``unit_ui`` adds the PoseFill
checkbox to ControlNet units; ``settings`` is the Settings section; ``http`` the HTTP routes;
``webui`` wires it all to a WebUI's callbacks. WebUI modules are only imported inside functions.
"""

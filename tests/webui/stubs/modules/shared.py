"""Stand-in for the WebUI's modules/shared.py: opts, OptionInfo, cmd_opts."""

import argparse


class OptionInfo:
    def __init__(
        self,
        default=None,
        label="",
        component=None,
        component_args=None,
        onchange=None,
        section=None,
        refresh=None,
        comment_before="",
        comment_after="",
        infotext=None,
        restrict_api=False,
        category_id=None,
    ):
        self.default = default
        self.label = label
        self.component = component
        self.component_args = component_args
        self.onchange = onchange
        self.section = section
        self.category_id = category_id
        self.refresh = refresh
        self.comment_before = comment_before
        self.comment_after = comment_after
        self.infotext = infotext
        self.restrict_api = restrict_api

    def info(self, info):
        self.comment_after += f"<span class='info'>({info})</span>"
        return self


class Options:
    def __init__(self):
        self.data_labels = {}
        self.data = {}

    def add_option(self, key, info):
        self.data_labels[key] = info
        if key not in self.data and not getattr(info, "do_not_save", False):
            self.data[key] = info.default

    def __getattr__(self, item):
        if item in ("data", "data_labels"):
            raise AttributeError(item)
        if item in self.data:
            return self.data[item]
        if item in self.data_labels:
            return self.data_labels[item].default
        raise AttributeError(item)


opts = Options()
cmd_opts = argparse.Namespace(skip_install=False, posefill_model=None)

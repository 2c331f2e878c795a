"""Stand-in for sd-webui-controlnet's preprocessor registry (scripts/supported_preprocessor.py,
re-exported by internal_controlnet/external_code.py) and its legacy preprocessor class."""

import functools
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple, Optional

import numpy as np


@dataclass
class PreprocessorParameter:
    label: str = "EMPTY_LABEL"
    minimum: float = 0.0
    maximum: float = 1.0
    step: float = 0.01
    value: float = 0.5
    visible: bool = True

    @property
    def gradio_update_kwargs(self) -> dict:
        return dict(
            minimum=self.minimum,
            maximum=self.maximum,
            step=self.step,
            label=self.label,
            value=self.value,
            visible=self.visible,
        )


class _HashableArray(np.ndarray):
    def __eq__(self, other):
        return np.array_equal(self, other)

    def __hash__(self):
        return hash(self.tobytes())


def _hashable(item):
    return np.asarray(item).view(_HashableArray) if isinstance(item, np.ndarray) else item


@dataclass
class Preprocessor(ABC):
    name: str
    _label: str = None
    tags: list[str] = field(default_factory=list)
    slider_resolution = PreprocessorParameter(label="Resolution", minimum=64, maximum=2048, value=512, step=8)
    slider_1 = PreprocessorParameter(visible=False)
    slider_2 = PreprocessorParameter(visible=False)
    slider_3 = PreprocessorParameter(visible=False)
    returns_image: bool = True
    show_control_mode = True
    do_not_need_model = False
    sorting_priority = 0
    accepts_mask: bool = False
    requires_mask: bool = False
    corp_image_with_a1111_mask_when_in_img2img_inpaint_tab = True
    fill_mask_with_one_when_resize_and_fill = False
    use_soft_projection_in_hr_fix = False
    expand_mask_when_resize_and_fill = False
    model: Any | None = None
    preprocessor_deps: list[str] = field(default_factory=list)

    all_processors: ClassVar[dict[str, "Preprocessor"]] = {}
    all_processors_by_name: ClassVar[dict[str, "Preprocessor"]] = {}

    @property
    def label(self) -> str:
        return self._label if self._label is not None else self.name

    @classmethod
    def add_supported_preprocessor(cls, p: "Preprocessor"):
        assert p.label not in cls.all_processors, f"{p.label} already registered!"
        cls.all_processors[p.label] = p
        assert p.name not in cls.all_processors_by_name, f"{p.name} already registered!"
        cls.all_processors_by_name[p.name] = p

    @classmethod
    def get_preprocessor(cls, name: str) -> Optional["Preprocessor"]:
        return cls.all_processors.get(name, cls.all_processors_by_name.get(name, None))

    @classmethod
    def get_sorted_preprocessors(cls) -> list["Preprocessor"]:
        preprocessors = [p for k, p in cls.all_processors.items() if k != "none"]
        ordered = sorted(preprocessors, key=lambda x: str(x.sorting_priority).zfill(8) + x.label, reverse=True)
        return [cls.all_processors["none"], *ordered]

    class Result(NamedTuple):
        value: Any
        display_images: list[np.ndarray]

    def cached_call(self, input_image, *args, **kwargs) -> "Preprocessor.Result":
        result = self._cached_call(input_image, *args, **kwargs)
        if isinstance(result, Preprocessor.Result):
            return result
        return Preprocessor.Result(value=result, display_images=[result if self.returns_image else input_image])

    def _cached_call(self, *args, **kwargs):
        args = tuple(_hashable(a) for a in args)
        kwargs = {k: _hashable(v) for k, v in kwargs.items()}
        return _cached(self, *args, **kwargs)

    def __hash__(self):
        return hash(self.name)

    def __eq__(self, other):
        return self.__hash__() == other.__hash__()

    @abstractmethod
    def __call__(self, input_image, resolution, slider_1=None, slider_2=None, slider_3=None, input_mask=None, **kwargs):
        pass

    def unload(self):
        return False


@functools.lru_cache(maxsize=16)
def _cached(preprocessor, *args, **kwargs):
    return preprocessor(*args, **kwargs)


class LegacyPreprocessor(Preprocessor):
    """ControlNet's wrapper of its old call functions: call_function(img, res, thr_a, thr_b, **kwargs)
    -> (result, is_image)."""

    def __init__(self, name: str, call_function, tags=("OpenPose",), priority=0):
        super().__init__(name)
        self._label = name
        self.call_function = call_function
        self.tags = list(tags)
        self.sorting_priority = priority
        self.calls = 0

    def __call__(self, input_image, resolution=512, slider_1=None, slider_2=None, slider_3=None, **kwargs):
        del slider_3
        self.calls += 1
        result, is_image = self.call_function(img=input_image, res=resolution, thr_a=slider_1, thr_b=slider_2, **kwargs)
        return result

from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings

from editor.providers import (
    ADAPTERS,
    PROVIDERS,
    catalogue_from_spec,
    extend_models,
    get_provider_class,
    provider_choices,
    provider_ids,
)
from editor.providers.base import (
    IMAGE_EDITOR,
    IMAGE_GENERATOR,
    IMAGE_INPAINTER,
    ModelSpec,
    Param,
)


def test_ids_and_labels():
    assert provider_ids() == ["onemin", "openai", "segmind", "local"]
    assert provider_choices()[0] == ("onemin", "1min.ai")
    assert set(PROVIDERS) == set(provider_ids())


@pytest.mark.parametrize("provider_id", ["onemin", "openai", "segmind", "local"])
def test_each_adapter_matches_its_id_and_seeds_a_catalogue(provider_id):
    cls = get_provider_class(provider_id)
    assert cls.id == provider_id
    assert cls.models, "every provider seeds a catalogue"
    for spec in cls.models:
        assert spec.types
        # the catalogue round-trips through the admin JSON shape
        assert catalogue_from_spec(_as_admin_json(spec)) == spec


def _as_admin_json(spec: ModelSpec) -> dict:
    data = spec.as_dict()
    data["inverse_mask"] = spec.inverse_mask
    if not spec.label:
        del data["label"]
    return data


def test_unknown_provider_is_a_key_error():
    with pytest.raises(KeyError, match="nope"):
        get_provider_class("nope")


def test_seeded_catalogues():
    def ids(pid):
        return {m.id: m for m in get_provider_class(pid).models}

    onemin = ids("onemin")
    assert set(onemin) >= {
        "gpt-image-1",
        "gpt-image-1-mini",
        "gpt-image-2",
        "black-forest-labs/flux-fill-pro",
        "black-forest-labs/flux-fill-dev",
        "ideogram-3",
    }
    assert onemin["ideogram-3"].inverse_mask is True
    assert onemin["black-forest-labs/flux-fill-pro"].types == (IMAGE_INPAINTER,)
    assert onemin["gpt-image-1"].param("style", IMAGE_GENERATOR).default == "vivid"
    assert onemin["gpt-image-1"].param("style", IMAGE_INPAINTER) is None
    assert onemin["gpt-image-1"].param("background", IMAGE_INPAINTER) is None
    openai = ids("openai")
    assert set(openai) == {
        "gpt-image-2.6-sunburst",
        "gpt-image-2.6-flare",
        "gpt-image-2.5-sunburst",
        "gpt-image-2.5-flare",
        "gpt-image-2",
        "gpt-image-1.5",
        "gpt-image-1-mini",
        "chatgpt-image-latest",
        "gpt-image-1",
    }
    assert openai["gpt-image-1.5"].param("input_fidelity", IMAGE_EDITOR) is not None
    assert openai["gpt-image-2"].param("input_fidelity") is None
    assert "transparent" not in openai["gpt-image-2"].param("background").choices
    assert "transparent" in openai["gpt-image-2.5-sunburst"].param("background").choices
    assert openai["gpt-image-2.6-flare"].param("complexity").choices == ("low", "medium", "high")
    assert openai["gpt-image-2.5-flare"].param("complexity") is None
    assert openai["gpt-image-2.5-sunburst"].param("quality").choices[-2:] == ("xhigh", "max")
    assert {m.max_prompt for m in openai.values()} == {32_000}
    segmind = ids("segmind")
    assert segmind["gpt-image-1-edit"].types == (IMAGE_EDITOR, IMAGE_INPAINTER)
    assert segmind["gpt-image-1"].types == (IMAGE_GENERATOR,)
    local = get_provider_class("local")
    assert [m.id for m in local.models] == ["patchmatch", "telea", "navier-stokes"]
    assert local.needs_key() is False and local.reads_prompt is False
    assert "does not read the prompt" in local.note


def test_catalogue_from_spec_builds_a_model():
    spec = catalogue_from_spec(
        {
            "id": "gpt-image-3",
            "types": ["IMAGE_EDITOR", "IMAGE_INPAINTER"],
            "params": [
                {"name": "size", "default": "1024x1024", "choices": ["1024x1024"]},
                {"name": "n", "default": 1, "min": 1, "max": 4},
                {"name": "style", "default": "vivid", "types": ["IMAGE_EDITOR"]},
            ],
            "free_size": True,
            "max_images": 4,
        }
    )
    assert spec.id == "gpt-image-3"
    assert spec.params[0] == Param("size", "1024x1024", ("1024x1024",))
    assert spec.param("n").max == 4
    assert [p.name for p in spec.params_for(IMAGE_INPAINTER)] == ["size", "n"]
    assert spec.free_size and spec.max_images == 4


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"types": ["IMAGE_EDITOR"]}, "non-empty string 'id'"),
        ({"id": "x", "types": []}, "non-empty subset"),
        ({"id": "x", "types": ["IMAGE_PAINTER"]}, "non-empty subset"),
        ({"id": "x", "types": "IMAGE_EDITOR"}, "must be a list"),
        ({"id": "x", "types": ["IMAGE_EDITOR"], "sizes": []}, "Unknown model field"),
        ({"id": "x", "types": ["IMAGE_EDITOR"], "params": [{"nam": "n"}]}, "Unknown param field"),
        ({"id": "x", "types": ["IMAGE_EDITOR"], "params": [{"name": "n", "min": "1"}]}, "number"),
        ({"id": "x", "types": ["IMAGE_EDITOR"], "params": [{"name": "n"}, {"name": "n"}]}, "twice"),
    ],
)
def test_catalogue_from_spec_rejects_bad_json(data, message):
    with pytest.raises(ValueError, match=message):
        catalogue_from_spec(data)


def test_extend_models_adds_and_replaces():
    cls = get_provider_class("openai")
    extended = extend_models(
        cls.models,
        [
            {"id": "gpt-image-3", "types": ["IMAGE_GENERATOR"]},
            {"id": "gpt-image-2", "types": ["IMAGE_EDITOR"], "label": "GPT Image 2 (edits only)"},
        ],
    )
    by_id = {m.id: m for m in extended}
    assert len(extended) == len(cls.models) + 1
    assert by_id["gpt-image-3"].types == (IMAGE_GENERATOR,)
    assert by_id["gpt-image-2"].label == "GPT Image 2 (edits only)"
    seeded = next(m for m in cls.models if m.id == "gpt-image-2")
    assert seeded.types != (IMAGE_EDITOR,)  # the class's own seed is untouched
    assert extend_models(cls.models, None) == cls.models


def test_extend_models_rejects_duplicate_ids():
    with pytest.raises(ValueError, match="twice"):
        extend_models(
            get_provider_class("local").models,
            [{"id": "a", "types": ["IMAGE_INPAINTER"]}, {"id": "a", "types": ["IMAGE_INPAINTER"]}],
        )


def test_provider_uses_extended_models_passed_to_constructor():
    cls = get_provider_class("local")
    extended = extend_models(cls.models, [{"id": "telea-x", "types": ["IMAGE_INPAINTER"]}])
    provider = cls(models=extended)
    assert provider.model_spec("telea-x") is not None
    assert cls().model_spec("telea-x") is None


def test_each_adapter_builds_itself_from_the_settings_it_names():
    settings = SimpleNamespace(
        ONEMIN_API_BASE="https://one.example",
        ONEMIN_ASSET_BASE="https://asset.one.example",
        OPENAI_BASE_URL="https://oa.example/v1",
        SEGMIND_API_BASE="https://sg.example",
        SEGMIND_UPLOAD_URL="https://sg.example/upload",
    )
    built = {cls.id: cls.from_settings(settings, None, api_key="k") for cls in ADAPTERS}

    assert (built["onemin"].base_url, built["onemin"].asset_base) == (
        "https://one.example",
        "https://asset.one.example",
    )
    assert built["openai"].base_url == "https://oa.example/v1"
    assert (built["segmind"].base_url, built["segmind"].upload_url) == (
        "https://sg.example",
        "https://sg.example/upload",
    )
    for cls in ADAPTERS:  # every setting an adapter names exists in the real settings
        assert all(hasattr(django_settings, name) for name in cls.url_settings.values())
        assert not cls.key_setting or hasattr(django_settings, cls.key_setting)


def test_only_an_adapter_that_allows_it_takes_a_teams_base_url():
    settings = SimpleNamespace(
        OPENAI_BASE_URL="https://api.openai.com/v1",
        SEGMIND_API_BASE="https://api.segmind.com",
        SEGMIND_UPLOAD_URL="https://up.example",
    )
    proxy = "https://proxy.example/v1"
    openai = get_provider_class("openai").from_settings(settings, None, base_url=proxy)
    segmind = get_provider_class("segmind").from_settings(settings, None, base_url=proxy)
    assert openai.base_url == proxy
    assert segmind.base_url == "https://api.segmind.com"

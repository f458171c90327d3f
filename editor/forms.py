"""Forms of the editor pages. Every input, query strings included, goes through one of these.

The edit form is built from the provider catalogue (`services.provider_catalogue`): only providers
the team can use are offered, only models that serve the chosen mode, and the chosen model's own
parameters with their allowed values. Changing mode, provider or model re-renders the form
(htmx GET, or the "Update options" button without JavaScript).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import validators
from django.forms.utils import ErrorDict

from editor import uploads
from editor.field_names import PARAM_PREFIX, form_field
from gallery.models import Record
from gallery.validators import PlainText

PROMPT_MAX = 4000
TYPE_LABELS = {
    Record.Type.IMAGE_INPAINTER: "Change the painted area",
    Record.Type.IMAGE_EDITOR: "Change the whole image",
    Record.Type.IMAGE_GENERATOR: "New image from text",
}
PARAM_LABELS = {
    "n": "Number of images",
    "size": "Size",
    "quality": "Quality",
    "output_format": "Format",
    "output_compression": "Compression (%)",
    "background": "Background",
    "style": "Style",
    "moderation": "Moderation",
    "input_fidelity": "Input fidelity",
}


class UploadForm(forms.Form):
    image = forms.FileField(
        label="Image",
        help_text="PNG, JPEG or WebP.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )

    def clean_image(self):
        image = self.cleaned_data["image"]
        if image.size > uploads.limit_bytes():
            raise forms.ValidationError(uploads.too_large_message(image.size))
        return image


class ContinueForm(forms.Form):
    """?from=<record code>&result=<n>: continue editing from one result of a record."""

    from_ = forms.UUIDField(required=False)
    result = forms.IntegerField(required=False, min_value=1, max_value=10)

    def __init__(self, data=None, **kwargs):
        if data is not None:
            data = {"from_": data.get("from", ""), "result": data.get("result", "")}
        super().__init__(data, **kwargs)


def usable_models(catalogue: list[dict], record_type: str) -> list[tuple[dict, list[dict]]]:
    """(provider, [models serving record_type]) for every configured provider that has any.
    Retired models are not offered."""
    out = []
    for provider in catalogue:
        if not provider.get("configured"):
            continue
        models = [
            m
            for m in provider.get("models", [])
            if record_type in m.get("types", []) and m.get("status") != "retired"
        ]
        if models:
            out.append((provider, models))
    return out


def params_for(model: dict, record_type: str) -> list[dict]:
    return [p for p in model.get("params", []) if record_type in p.get("types", [record_type])]


def _param_field(param: dict) -> forms.Field:
    name = param["name"]
    label = param.get("label") or PARAM_LABELS.get(name, name.replace("_", " ").capitalize())
    default = param.get("default")
    if param.get("choices") is not None:
        choices = [(str(c), str(c)) for c in param["choices"]]
        return forms.TypedChoiceField(
            label=label,
            choices=choices,
            initial=str(default) if default is not None else None,
            coerce=_coerce_like(param["choices"]),
            required=False,
        )
    if param.get("min") is not None or param.get("max") is not None or isinstance(default, int):
        bounds = (default, param.get("min"), param.get("max"))
        # A decimal anywhere in the declaration (guidance 0..50, default 3.5) takes decimals,
        # as the service checks it (services.params); a whole-number field refused the default.
        number = (
            forms.FloatField if any(isinstance(x, float) for x in bounds) else forms.IntegerField
        )
        return number(
            label=label,
            initial=default,
            min_value=param.get("min"),
            max_value=param.get("max"),
            required=False,
        )
    help_text = "auto, or width x height such as 1536x1024." if name == "size" else ""
    return forms.CharField(
        label=label, initial=default, required=False, max_length=100, help_text=help_text
    )


def _coerce_like(choices: list[Any]):
    """Give a choice back in its catalogue type (n=2 stays an int, "auto" a string)."""
    by_text = {str(c): c for c in choices}
    return lambda value: by_text.get(value, value)


class EditForm(forms.Form):
    """Mode, provider, model, that model's parameters, prompt, mask options, extra targets."""

    source = forms.UUIDField(required=False, widget=forms.HiddenInput)
    parent = forms.UUIDField(required=False, widget=forms.HiddenInput)
    type = forms.ChoiceField(label="Mode", widget=forms.RadioSelect)
    provider = forms.ChoiceField(label="Provider")
    model = forms.ChoiceField(label="Model")
    prompt = forms.CharField(
        label="Prompt",
        required=False,
        max_length=PROMPT_MAX,
        validators=[PlainText()],
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": PROMPT_MAX}),
        help_text="Describe what the changed area should show.",
    )
    grow = forms.IntegerField(
        label="Grow (px)", min_value=0, max_value=200, initial=0, required=False
    )
    feather = forms.IntegerField(
        label="Feather (px)", min_value=0, max_value=200, initial=0, required=False
    )
    invert = forms.BooleanField(label="Invert mask on the server", required=False)
    paste_back = forms.BooleanField(
        label="Keep every unpainted pixel of the original (paste back)",
        required=False,
        initial=True,
    )
    also = forms.MultipleChoiceField(
        label="Also send to",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each ticked model gets its own job, shown side by side.",
    )

    def __init__(
        self,
        catalogue: list[dict],
        types: list[str],
        *args: Any,
        refresh: bool = False,
        refresh_url: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.catalogue = catalogue
        raw = self.data if self.is_bound else self.initial
        self.fields["type"].choices = [(t, TYPE_LABELS[t]) for t in types]
        if len(types) == 1:
            self.fields["type"].widget = forms.HiddenInput()
        self.record_type = raw.get("type") if raw.get("type") in types else types[0]
        self.fields["type"].initial = self.record_type

        self.usable = usable_models(catalogue, self.record_type)
        providers = {p["id"]: (p, models) for p, models in self.usable}
        self.fields["provider"].choices = [(p["id"], p["name"]) for p, _ in self.usable]
        provider_id = raw.get("provider")
        if provider_id not in providers:
            provider_id = self.usable[0][0]["id"] if self.usable else None
        self.provider_info, models = providers.get(provider_id, ({}, []))
        self.fields["provider"].initial = provider_id
        self.fields["model"].choices = [(m["id"], m.get("label") or m["id"]) for m in models]
        by_id = {m["id"]: m for m in models}
        model_id = raw.get("model") if raw.get("model") in by_id else None
        if model_id is None and models:
            model_id = models[0]["id"]
        self.model_info = by_id.get(model_id, {})
        self.fields["model"].initial = model_id
        wanted = (self.data.get("provider"), self.data.get("model")) if self.is_bound else None
        if refresh and wanted != (provider_id, model_id):
            # The provider changed, so the old model is not on offer: show the new default.
            self.data = self.data.copy()
            self.data["provider"], self.data["model"] = provider_id, model_id
        elif wanted is not None:
            # A submission runs exactly what was asked for or nothing: an unknown, unusable or
            # stale choice is an error on its field, never swapped for a default (and charged).
            self._explain_unusable(*wanted)

        self._limit_prompt(self.model_info.get("max_prompt", PROMPT_MAX))
        self.param_names = []
        for param in params_for(self.model_info, self.record_type):
            field = self.fields[PARAM_PREFIX + param["name"]] = _param_field(param)
            self.param_names.append(param["name"])
            if self.is_bound and self.data.get(PARAM_PREFIX + param["name"]) in (None, ""):
                # A parameter the last model did not have (or left blank): its default.
                self.data = self.data.copy()
                self.data[PARAM_PREFIX + param["name"]] = (
                    "" if field.initial is None else field.initial
                )

        self.fields["also"].choices = [
            (f"{p['id']}:{m['id']}", f"{p['name']} · {m.get('label') or m['id']}")
            for p, models in self.usable
            for m in models
            if (p["id"], m["id"]) != (provider_id, model_id)
        ]
        if self.record_type == Record.Type.IMAGE_GENERATOR:
            self.fields["prompt"].help_text = "Describe the image you want."
        elif self.record_type == Record.Type.IMAGE_EDITOR:
            self.fields["prompt"].help_text = "Describe how the whole image should change."
        if refresh_url:
            # These controls change what else the form offers (and the cost): re-render on change.
            names = [
                "type",
                "provider",
                "model",
                "also",
                *map(PARAM_PREFIX.__add__, self.param_names),
            ]
            for name in names:
                self.fields[name].widget.attrs.update(
                    {"hx-get": refresh_url, "hx-trigger": "change"}
                )
        if refresh:
            # A refresh shows the new choices with what was typed, not validation errors.
            self._errors = ErrorDict()

    def _limit_prompt(self, limit: int) -> None:
        """The chosen model's prompt limit (OpenAI takes 32,000 characters, 1min.ai 4000)."""
        field = self.fields["prompt"]
        field.max_length = limit
        field.validators = [
            v for v in field.validators if not isinstance(v, validators.MaxLengthValidator)
        ] + [validators.MaxLengthValidator(limit)]
        field.widget.attrs["maxlength"] = limit

    @property
    def prompt_limit(self) -> int:
        return self.fields["prompt"].max_length

    def _explain_unusable(self, provider_id: Any, model_id: Any) -> None:
        """Say why a submitted provider or model is not on offer, in the field's own error."""
        offered = [p for p, _ in self.usable]
        names = ", ".join(p["name"] for p in offered) or "none"
        known = {p["id"]: p for p in self.catalogue}
        if provider_id in known and not known[provider_id].get("configured"):
            why = (
                f"{known[provider_id]['name']} has no API key for your team (it may have been "
                f"removed since this page was loaded); choose one of: {names}."
            )
        elif provider_id in known:
            why = f"{known[provider_id]['name']} cannot do this mode; choose one of: {names}."
        else:
            why = (
                f"{str(provider_id)[:40]!r} is not a provider you can use; choose one of: {names}."
            )
        # Django %-formats these messages (with the value as %(value)s): a "%" in what was sent
        # or in a catalogue name must reach the page as itself, not break the formatting.
        self.fields["provider"].error_messages["invalid_choice"] = why.replace("%", "%%")
        models = ", ".join(v for v, _ in self.fields["model"].choices) or "none"
        label = self.provider_info.get("name", "this provider")
        self.fields["model"].error_messages["invalid_choice"] = (
            f"{str(model_id)[:60]!r} is not a model of {label} for this mode; "
            f"choose one of: {models}."
        ).replace("%", "%%")

    @property
    def is_inpaint(self) -> bool:
        return self.record_type == Record.Type.IMAGE_INPAINTER

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.has_error("provider"):
            self.errors.pop("model", None)  # the models listed are another provider's
        return cleaned

    def unshown_errors(self) -> list[tuple[str, str, str]]:
        """(field, label, message) for errors on fields this mode does not render, so that no
        refusal is a bare 422: a hidden mode, mask options outside inpainting, the provider
        and model when none is usable, the targets when there is nothing else to send to."""
        shown = {"prompt"}
        if self.fields["type"].widget.input_type == "radio":
            shown.add("type")
        if self.usable:
            shown |= {"provider", "model", *map(PARAM_PREFIX.__add__, self.param_names)}
        if self.is_inpaint:
            shown |= {"grow", "feather", "invert", "paste_back"}
        if self.fields["also"].choices:
            shown.add("also")
        return [
            (name, str(self.fields[name].label or name) if name in self.fields else name, error)
            for name, errors in self.errors.items()
            if name != "__all__" and name not in shown
            for error in errors
        ]

    def param_fields(self):
        return [self[PARAM_PREFIX + name] for name in self.param_names]

    def mask_fields(self):
        return [self[name] for name in ("grow", "feather", "invert", "paste_back")]

    def values(self) -> dict[str, Any]:
        """The parameters as the catalogue types them, from cleaned data or, if not yet
        validated (a refresh), from the raw input with defaults for the rest."""
        out: dict[str, Any] = {}
        cleaned = getattr(self, "cleaned_data", None) or {}
        for name in self.param_names:
            field = self.fields[PARAM_PREFIX + name]
            value = cleaned.get(PARAM_PREFIX + name)
            if value in (None, "") and not cleaned:
                try:
                    value = field.clean(self[PARAM_PREFIX + name].value())
                except forms.ValidationError:
                    value = None
            if value in (None, ""):
                value = field.initial
            if value not in (None, ""):
                out[name] = value
        return out

    def targets(self) -> list[tuple[str, str]]:
        cleaned = getattr(self, "cleaned_data", {})
        main = (
            cleaned.get("provider") or self.fields["provider"].initial,
            cleaned.get("model") or self.fields["model"].initial,
        )
        chosen = self.cleaned_data.get("also", []) if hasattr(self, "cleaned_data") else []
        if not chosen and self.is_bound:
            valid = dict(self.fields["also"].choices)
            chosen = [v for v in self.data.getlist("also") if v in valid]
        extra = [tuple(v.split(":", 1)) for v in chosen]
        return [main, *[t for t in extra if t != main]]

    def field_for(self, name: str | None) -> str | None:
        """Which form field shows an error a service reported for its input `name`."""
        return form_field(name, self.fields)

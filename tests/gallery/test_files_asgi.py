"""Under an ASGI server (uvicorn, `make run`) files stream in chunks instead of being read whole."""

import warnings

import pytest
from asgiref.sync import sync_to_async
from django.test import AsyncClient

from gallery.services import signed_asset_url, store_asset


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.anyio
@pytest.mark.django_db(transaction=True)
async def test_a_file_streams_asynchronously_under_asgi(alice_membership):
    data = bytes(range(256)) * 4096  # 1 MiB: several chunks
    asset = await sync_to_async(store_asset)(alice_membership, data, kind="RESULT", extension="png")
    url = await sync_to_async(signed_asset_url)(asset)

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Django warns when it must buffer a sync iterator
        response = await AsyncClient().get(url)
        assert response.status_code == 200
        assert response.is_async
        body = b"".join([chunk async for chunk in response.streaming_content])

    assert body == data
    assert response["Content-Type"] == "image/png"

"""The complaint map's tile server: none unless a deployment configures its own, and then only that host."""

from django.test import Client

from jianguan.web.middleware import POLICY

TILES = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"


def _page(url="/public/complaints/"):
    return Client().get(url)


def test_without_a_tile_server_the_map_calls_nothing_outside_and_the_policy_is_unchanged(db, settings):
    settings.COMPLAINT_MAP_TILES = ""
    response = _page()
    page = response.content.decode()
    assert response.status_code == 200 and 'id="pin-map"' in page
    assert 'data-tiles=""' in page and "https://" not in page.split('id="pin-map"', 1)[1].split(">", 1)[0]
    assert response["Content-Security-Policy"] == POLICY


def test_a_configured_tile_server_is_the_maps_background_and_the_only_host_added_to_the_policy(db, settings):
    settings.COMPLAINT_MAP_TILES = TILES
    response = _page()
    assert f'data-tiles="{TILES}"' in response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "img-src 'self' data: https://tiles.example.gov.cn;" in policy
    assert policy.replace(" https://tiles.example.gov.cn", "") == POLICY

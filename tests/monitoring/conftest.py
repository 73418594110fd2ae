"""A source system with three monitoring points of 历下: a cold-chain logger, a gas sensor and an
effluent (COD) monitor, all watched by 历下区市场监督管理局 except the effluent monitor (济南市生态环境局)."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone


@dataclass
class Monitor:
    source: object
    token: str
    cold: object
    gas: object
    effluent: object
    t0: dt.datetime

    def client(self) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Bearer {self.token}")

    def at(self, minutes: float) -> str:
        return (self.t0 + dt.timedelta(minutes=minutes)).isoformat()

    def reading(self, device, minutes: float, value, unit=None, **extra) -> dict:
        units = {"temperature": "℃", "ch4_lel": "%LEL", "cod": "mg/L"}
        return {
            "device": device.code,
            "time": self.at(minutes),
            "value": value,
            "unit": unit or units[device.quantity],
            **extra,
        }

    def post(self, readings):
        return self.client().post("/api/v1/monitoring/readings", readings, content_type="application/json")


@pytest.fixture
def monitor(setup, province):
    from jianguan.monitoring.services import register_device

    def device(code, kind, name, quantity, department):
        return register_device(
            code=code,
            source=setup.source,
            kind=kind,
            name=name,
            department=department,
            region="370102",
            quantity=quantity,
            subject=setup.subject,
            address="济南市历下区泉城路100号",
            longitude=117.02,
            latitude=36.66,
            items=[setup.item],
        )

    t0 = (timezone.now() - dt.timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    return Monitor(
        setup.source,
        setup.token,
        device("CC-001", "cold_chain", "冷库1号温度记录仪", "temperature", province.lixia_market),
        device("GAS-001", "gas", "后厨燃气探测器", "ch4_lel", province.lixia_market),
        device("COD-001", "env_sensor", "污水排放口COD在线监测", "cod", province.jn_env),
        t0,
    )

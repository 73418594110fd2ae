from django.db import models
from django.utils.translation import gettext_lazy as _


class DeviceKind(models.TextChoices):
    ENV_SENSOR = "env_sensor", _("Environmental sensor")
    COLD_CHAIN = "cold_chain", _("Cold-chain temperature logger")
    GAS = "gas", _("Gas or pressure sensor")
    VIDEO = "video", _("Video camera with an analysis model")
    REMOTE_SENSING = "remote_sensing", _("Remote-sensing tile source")
    KITCHEN = "kitchen", _("Kitchen camera (明厨亮灶)")


class DeviceStatus(models.TextChoices):
    ACTIVE = "active", _("In service")
    RETIRED = "retired", _("Retired")


class Channel(models.TextChoices):
    HTTP = "http", _("HTTP API")
    MQTT = "mqtt", _("MQTT")


class DeliveryKind(models.TextChoices):
    READINGS = "readings", _("Readings")
    DETECTIONS = "detections", _("Detections")


DETECTOR_KINDS = (DeviceKind.VIDEO, DeviceKind.KITCHEN, DeviceKind.REMOTE_SENSING)
CAMERA_KINDS = (DeviceKind.VIDEO, DeviceKind.KITCHEN)


class ClueState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Level(models.TextChoices):
    RED = "red", _("Red")
    ORANGE = "orange", _("Orange")
    YELLOW = "yellow", _("Yellow")
    BLUE = "blue", _("Blue")

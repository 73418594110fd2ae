from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):
    """协查协办 is `AssistRequest` in the glossary."""

    dependencies = [
        ("joint", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RenameModel("AssistanceRequest", "AssistRequest")]

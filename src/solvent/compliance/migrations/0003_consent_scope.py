"""Consents gain an account scope: consent to more calls is about a particular debt (ADR 0009)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0002_debt_notice"),
        ("portfolio", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="consent",
            name="accounts",
            field=models.ManyToManyField(
                blank=True, related_name="compliance_consents", to="portfolio.account"
            ),
        ),
    ]

# Written by hand (issue 9): the ledger records who started a contact, and abandoned calls.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('compliance', '0002_debt_notice'),
    ]

    operations = [
        migrations.AddField(
            model_name='contactattempt',
            name='direction',
            field=models.CharField(choices=[('outbound', 'Outbound'), ('inbound', 'Inbound')], default='outbound', max_length=8),
        ),
        migrations.AlterField(
            model_name='contactattempt',
            name='outcome',
            field=models.CharField(blank=True, choices=[('no_answer', 'No Answer'), ('busy', 'Busy'), ('not_in_service', 'Not In Service'), ('voicemail', 'Voicemail'), ('limited_content_message', 'Limited Content Message'), ('right_party_conversation', 'Right Party Conversation'), ('third_party_conversation', 'Third Party Conversation'), ('wrong_number', 'Wrong Number'), ('sent', 'Sent'), ('delivered', 'Delivered'), ('bounced', 'Bounced'), ('failed', 'Failed'), ('abandoned', 'Abandoned')], max_length=32),
        ),
    ]

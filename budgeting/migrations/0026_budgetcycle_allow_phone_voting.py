from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('budgeting', '0025_audit_event_types_paper_corrections'),
    ]

    operations = [
        migrations.AddField(
            model_name='budgetcycle',
            name='allow_phone_voting',
            field=models.BooleanField(default=False, help_text="As Seoul's mVoting: a resident verifies a Korean mobile number by SMS and votes, stating their district and year of birth. One number, one ballot per pot. Not offered when only verified residents may vote.", verbose_name='residents may vote by phone alone (SMS code, no account)'),
        ),
    ]

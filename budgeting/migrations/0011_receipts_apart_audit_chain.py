"""Receipts leave the ballots; the audit log becomes append-only and hash-chained.

1. ``Participation.receipt`` is added and each current ballot's receipt moves to its voter's
   participation (matched by the voter key, as voting computes it), then ``Ballot.receipt`` is
   dropped: the database no longer maps a receipt to a ballot. ``CountedReceipt`` holds the
   published list of counted codes.
2. The audit log gets its chain columns; events written before are chained in the order they
   were written (``BACKFILL_AUDIT_CHAIN_SQL``), then the unique positions are constrained and the
   triggers installed (``AUDIT_CHAIN_SQL`` in ``budgeting.audit``: chain on insert, refuse UPDATE
   and DELETE). Cycles with events are protected from deletion.
"""

import hashlib
import hmac

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from budgeting.audit import AUDIT_CHAIN_SQL
from budgeting.audit import BACKFILL_AUDIT_CHAIN_SQL
from budgeting.audit import DROP_AUDIT_CHAIN_SQL


def move_receipts_to_participations(apps, schema_editor):
    Ballot = apps.get_model("budgeting", "Ballot")
    Participation = apps.get_model("budgeting", "Participation")
    secret = settings.CHAMYEO_VOTER_KEY_SECRET
    if not secret:
        return  # no ballot can have been stored without it
    receipts = dict(
        ((key, scope), receipt)
        for key, scope, receipt in Ballot.objects.values_list("voter_key", "scope_id", "receipt")
    )
    voted = Participation.objects.filter(voted_at__isnull=False)
    for participation in voted.only("pk", "user_id", "scope_id").iterator():
        message = f"{participation.user_id}:{participation.scope_id}".encode()
        key = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
        receipt = receipts.get((key, participation.scope_id))
        if receipt:
            Participation.objects.filter(pk=participation.pk).update(receipt=receipt)


def install_chain(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(AUDIT_CHAIN_SQL, params=None)


def backfill_chain(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKFILL_AUDIT_CHAIN_SQL, params=None)


def drop_chain(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_AUDIT_CHAIN_SQL, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('budgeting', '0010_record_audit_event_function'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CountedReceipt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=19, verbose_name='receipt')),
            ],
            options={
                'verbose_name': 'counted receipt',
                'verbose_name_plural': 'counted receipts',
            },
        ),
        migrations.AddField(
            model_name='participation',
            name='receipt',
            field=models.CharField(blank=True, max_length=19, null=True, unique=True, verbose_name='receipt'),
        ),
        migrations.RunPython(move_receipts_to_participations, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='ballot',
            name='receipt',
        ),
        migrations.AddField(
            model_name='auditevent',
            name='chain_hash',
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name='chain hash'),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='content_sha256',
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='position',
            field=models.PositiveBigIntegerField(default=0, verbose_name='position in the chain'),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='previous_hash',
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='created_at',
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='when'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='cycle',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='audit_events', to='budgeting.budgetcycle', verbose_name='budget cycle'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='event_type',
            field=models.CharField(choices=[('phase_advanced', 'Phase changed'), ('cycle_created', 'Budget cycle created'), ('cycle_cloned', 'Budget cycle copied from an earlier one'), ('cycle_rules_changed', 'Budget cycle rules changed'), ('cycle_rules_change_refused', 'Change to frozen rules refused'), ('council_member_appointed', 'Council member appointed'), ('resident_verified', 'Resident verified'), ('residents_verified_from_csv', 'Residents verified from a list'), ('proposal_submitted', 'Proposal submitted'), ('proposal_edited', 'Proposal edited'), ('proposal_withdrawn', 'Proposal withdrawn'), ('proposal_hidden', 'Proposal hidden by moderation'), ('comment_hidden', 'Comment hidden by moderation'), ('endorsement_threshold_reached', 'Endorsement threshold reached'), ('feasibility_reviewed', 'Feasibility reviewed'), ('proposals_merged', 'Proposals merged'), ('council_decision_recorded', 'Council decision'), ('rubric_scored', 'Proposal scored on the rubric'), ('ballot_changed', 'A ballot was changed'), ('ballot_withdrawn', 'A ballot was withdrawn'), ('paper_ballot_entered', 'Paper ballot entered'), ('ballot_channel_conflict', 'Second ballot refused'), ('voting_closed', 'Voting closed'), ('receipts_listed', 'Receipt codes of the counted ballots listed'), ('ballots_sealed', 'Earlier versions of ballot and participation rows erased from disk'), ('tally_started', 'Counting started'), ('tally_succeeded', 'Counting finished'), ('tally_failed', 'Counting failed'), ('results_published', 'Results published'), ('exports_rebuild_requested', 'Downloads of the results built again'), ('implementation_updated', 'Project progress updated'), ('project_cut', 'Funded project cut or reduced')], max_length=50, verbose_name='event'),
        ),
        migrations.RunPython(install_chain, drop_chain),
        migrations.RunPython(backfill_chain, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='auditevent',
            constraint=models.UniqueConstraint(condition=models.Q(('cycle__isnull', False)), fields=('cycle', 'position'), name='auditevent_one_per_position'),
        ),
        migrations.AddConstraint(
            model_name='auditevent',
            constraint=models.UniqueConstraint(condition=models.Q(('cycle__isnull', True)), fields=('position',), name='auditevent_one_per_position_without_cycle'),
        ),
        migrations.AddField(
            model_name='countedreceipt',
            name='scope',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='counted_receipts', to='budgeting.ballotscope', verbose_name='ballot scope'),
        ),
        migrations.AddConstraint(
            model_name='countedreceipt',
            constraint=models.UniqueConstraint(fields=('scope', 'code'), name='countedreceipt_one_per_scope'),
        ),
    ]

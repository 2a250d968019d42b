"""Make the journal append-only in the database itself, for any client, not only this code.

UPDATE is refused on SQLite and PostgreSQL. DELETE is refused on PostgreSQL row by row;
retention purges (Law 09-08: no longer than the purpose needs) are done by the database owner
with TRUNCATE or by dropping old partitions, which a row trigger does not block. SQLite keeps
DELETE possible because its test-database flush uses it.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER IF NOT EXISTS audit_journal_no_update BEFORE UPDATE ON audit_journalentry "
            "BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION audit_journal_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'the journal is append-only'; END; $$ LANGUAGE plpgsql;"
        )
        schema_editor.execute(
            "CREATE TRIGGER audit_journal_no_change BEFORE UPDATE OR DELETE ON audit_journalentry "
            "FOR EACH ROW EXECUTE FUNCTION audit_journal_append_only();"
        )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_journal_no_update;")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_journal_no_change ON audit_journalentry;")
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_journal_append_only();")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]

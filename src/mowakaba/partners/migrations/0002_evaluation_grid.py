"""The default evaluation grid (DOMAIN §3: delegations score centres with a grid). Data, not code:
head office may change weights or add criteria later; each visit keeps the weights it used."""

from typing import Any

from django.db import migrations

GRID = [
    ("governance", 3, "الحكامة والتسيير الإداري", "Gouvernance et gestion administrative", "Governance and administration"),
    ("finance", 3, "التدبير المالي وشفافية الحسابات", "Gestion financière et transparence des comptes",
     "Financial management and transparent accounts"),
    ("activities", 4, "إنجاز الأنشطة المتفق عليها", "Réalisation des activités convenues", "Agreed activities carried out"),
    ("beneficiaries", 4, "عدد المستفيدين وجودة التكفل", "Bénéficiaires et qualité de la prise en charge",
     "Beneficiaries and quality of care"),
    ("staff", 2, "تأهيل الأطر", "Qualification de l'encadrement", "Staff qualification"),
    ("premises", 2, "حالة البنايات والتجهيزات", "État des locaux et des équipements", "Premises and equipment"),
    ("reporting", 2, "احترام آجال التقارير", "Respect des délais des rapports", "Reports on time"),
]


def add_grid(apps: Any, schema_editor: Any) -> None:
    Criterion = apps.get_model("partners", "Criterion")
    for i, (code, weight, ar, fr, en) in enumerate(GRID):
        Criterion.objects.update_or_create(code=code, defaults={
            "weight": weight, "name_ar": ar, "name_fr": fr, "name_en": en, "sort_order": i})


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_initial")]
    operations = [migrations.RunPython(add_grid, migrations.RunPython.noop)]

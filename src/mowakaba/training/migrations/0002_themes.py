"""The catalogue of training themes of the seed year's plan (head office may add more as data)."""

from django.db import migrations

THEMES = [
    ("listening", "Techniques d'écoute et d'accueil", "تقنيات الإنصات والاستقبال", "Listening and reception techniques"),
    ("case_management", "Gestion des cas et utilisation de la plateforme", "تدبير الحالات واستعمال المنصة",
     "Case management and the platform"),
    ("child_protection", "Protection de l'enfance", "حماية الطفولة", "Child protection"),
    ("violence_women", "Violence à l'égard des femmes", "العنف ضد النساء", "Violence against women"),
    ("disability_inclusion", "Inclusion des personnes en situation de handicap",
     "إدماج الأشخاص في وضعية إعاقة", "Disability inclusion"),
    ("data_protection", "Protection des données personnelles (loi 09-08)",
     "حماية المعطيات الشخصية (القانون 09-08)", "Data protection (Law 09-08)"),
    ("establishment_management", "Gestion des établissements de protection sociale",
     "تدبير مؤسسات الرعاية الاجتماعية", "Management of social care establishments"),
    ("elderly_care", "Accompagnement des personnes âgées", "مواكبة الأشخاص المسنين", "Care of elderly people"),
    ("project_management", "Gestion de projets et partenariat associatif", "تدبير المشاريع والشراكة مع الجمعيات",
     "Project management and partnership with associations"),
]


def load(apps, schema_editor):
    Theme = apps.get_model("training", "Theme")
    for i, (code, fr, ar, en) in enumerate(THEMES):
        Theme.objects.update_or_create(code=code, defaults={"name_fr": fr, "name_ar": ar, "name_en": en,
                                                            "sort_order": i})


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

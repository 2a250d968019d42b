"""Synthetic casework on top of the demo registry, in plausible proportions, written in bulk.

What it writes, for roughly 45% of the persons (about 1.2 cases each, a second case only after
the first was closed), opened over the last 18 months with a rollout ramp so that the last
twelve months hold about 0.437 cases per person (437,000 at the national scale of a million):

* listening sessions (walk-in most, then phone, outreach rounds and reports by authorities,
  police, hospitals, schools, partners or families) with their expressed needs; information-only
  sessions without a case, some anonymous; a few first contacts under a pseudonym;
* cases held by an establishment that does casework in the person's province, with target
  groups that follow the person's sex, age and disability, and one agent responsible;
* assessments scored with the active scheme (``cases.assessment.score``), about 3% extreme with
  an individual-treatment track (first action mostly on time, plans approved by the provincial
  delegate, some late, a few pending), placements within capacity;
* plans (goals, actions, follow-up visits, calls and meetings, reviews every 90 days): old tasks
  mostly done, some overdue, some due today, the next ones upcoming;
* referrals for about 30% of cases (internal, partner, outside), most completed, some accepted
  or awaiting an answer, a few declined or revoked; outside ones only with a sharing consent;
* closures with a reason and an outcome (about 45% of cases older than three months), a few
  transfers between establishments.

``Case.status`` is computed here with the precedence of ``cases.services.status_from`` and
written with the case. Demo personas get a hand-made share: ``agent.casa`` about 25 open cases
with tasks overdue, due today and upcoming and one extreme case whose plan deadline runs;
``delegate.casa`` two pending approvals; ``manager.casa`` and ``partner.casa`` referrals in
their inbox. Persons' registration dates move back to their first contact.

Free texts (task titles, goals, notes, listening accounts, first actions, conference notes,
referral reasons and answers, closing notes) are written the way agents write: a case in Arabic
(80%) or in French (20%), throughout, with several wordings of each.

The journal, which the case page's timeline reads, gets what the services would have written
(same actions, records and ``changes``), at the time each thing happened, by whoever did it, in
the case's establishment, ``via`` "cli": the whole history of cases opened in the last six
months and of every case of the personas' establishments (agent.casa's, manager.casa's and
those of delegate.casa's delegation), the opening only for older cases (``FULL_HISTORY_DAYS``;
at the national scale a full history for every case would add some 8 million rows).
``demo.generate`` adds its summary.

Writing: persons are read in chunks of 20,000 by id; each chunk's rows are generated in Python
and written in one transaction, table by table, with one ``executemany`` each (ids of the rows
others point to are handed out here). Model instances skip ``Model.__init__``. No service is
called and nothing is queried per row. A million persons (550,000 cases, 7 million rows and 3.9
million journal entries) take about seven minutes on SQLite on a two-core machine.

Deterministic for a seed and a ``now``. Everything is synthetic.
"""

from __future__ import annotations

import math
import random
import time
from bisect import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from itertools import accumulate
from operator import itemgetter
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Model
from django.db.models.base import ModelState
from django.utils import timezone

from mowakaba.accounts.models import Assignment, Role, User
from mowakaba.audit.models import JournalEntry
from mowakaba.cases.assessment import QUESTIONS, active_scheme, score
from mowakaba.cases.models import (
    REPORT_CHANNELS,
    Approval,
    Assessment,
    AssessmentScheme,
    Case,
    CaseGroup,
    Channel,
    ClosureOutcome,
    ClosureReason,
    ExtremeTrack,
    Goal,
    Level,
    ListeningSession,
    Need,
    Placement,
    Review,
    SessionNeed,
    Status,
    TargetGroup,
    Task,
    Transfer,
    Urgency,
    case_number,
)
from mowakaba.notifications.models import Notification
from mowakaba.referrals.models import Outcome, Referral, Sector, Target
from mowakaba.registry.keys import bulk_keys
from mowakaba.registry.models import Consent, NameKey, Person, record_number
from mowakaba.territory.models import OrgUnit, PartnerAssociation

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)

WINDOW_DAYS = 548  # eighteen months of casework
RAMP = 2.5  # opening density grows linearly over the window: the platform was rolled out gradually
CASE_PERSON_SHARE = 0.46  # persons with at least one case
SECOND_CASE_SHARE = 0.22  # of those, persons who came back after a first case was closed
CHUNK = 20_000  # persons per transaction
# The journal holds the whole history of cases opened in the last FULL_HISTORY_DAYS (None: of
# every case) and of every case of the personas' establishments; older cases elsewhere only
# their opening (``Generator.chronicle``).
FULL_HISTORY_DAYS: int | None = 183

# Establishment types that hold cases (social assistance, listening, protection, care).
CASEWORK_TYPES = frozenset({"cas", "ceo", "emf", "upe", "ups", "coaph", "csp", "eps_children", "eps_elderly",
                            "eps_disability", "eps_women", "eps_homeless", "samu"})
SHELTER_BY_GROUP: list[tuple[str, str]] = [
    (TargetGroup.CHILD, "eps_children"), (TargetGroup.VIOLENCE, "eps_women"), (TargetGroup.WOMAN, "eps_women"),
    (TargetGroup.DISABILITY, "eps_disability"), (TargetGroup.ELDERLY, "eps_elderly"),
    (TargetGroup.HOMELESS, "eps_homeless"), (TargetGroup.NO_SUPPORT, "eps_homeless"),
]

CHANNELS: list[tuple[str, float]] = [
    (Channel.WALK_IN, 52), (Channel.PHONE, 16), (Channel.OUTREACH, 9), (Channel.AUTHORITY, 5), (Channel.POLICE, 3),
    (Channel.HOSPITAL, 5), (Channel.SCHOOL, 3), (Channel.PARTNER, 5), (Channel.FAMILY, 2),
]

# Expressed needs: a base frequency, raised by the target groups that make them likely.
NEED_BASE: dict[str, float] = {
    Need.INCOME: 10, Need.FOOD: 7, Need.HEALTH: 8, Need.DOCUMENTS: 6, Need.EMPLOYMENT: 4, Need.FAMILY: 4,
    Need.LEGAL: 2, Need.PSYCHO: 3, Need.SHELTER: 2, Need.SCHOOLING: 0.5, Need.DISABILITY: 0.3, Need.VIOLENCE: 0.3,
    Need.ELDERLY_CARE: 0.2, Need.OTHER: 1.5,
}
NEED_BY_GROUP: dict[str, dict[str, float]] = {
    TargetGroup.CHILD: {Need.SCHOOLING: 14, Need.FAMILY: 5, Need.DOCUMENTS: 4, Need.HEALTH: 3, Need.PSYCHO: 3},
    TargetGroup.YOUTH: {Need.EMPLOYMENT: 10, Need.SCHOOLING: 4, Need.PSYCHO: 3},
    TargetGroup.WOMAN: {Need.INCOME: 6, Need.EMPLOYMENT: 5, Need.LEGAL: 3, Need.FAMILY: 3},
    TargetGroup.VIOLENCE: {Need.VIOLENCE: 25, Need.LEGAL: 8, Need.PSYCHO: 8, Need.SHELTER: 5},
    TargetGroup.ELDERLY: {Need.ELDERLY_CARE: 12, Need.HEALTH: 10, Need.INCOME: 4},
    TargetGroup.DISABILITY: {Need.DISABILITY: 22, Need.HEALTH: 5},
    TargetGroup.HOMELESS: {Need.SHELTER: 25, Need.FOOD: 8, Need.DOCUMENTS: 5, Need.HEALTH: 4},
    TargetGroup.NO_SUPPORT: {Need.INCOME: 6, Need.FOOD: 5, Need.SHELTER: 3},
}
INTERNAL_TYPES_BY_NEED: dict[str, tuple[str, ...]] = {
    Need.SHELTER: ("eps_homeless", "eps_women", "cas"), Need.DISABILITY: ("coaph", "eps_disability"),
    Need.EMPLOYMENT: ("cfa", "cef"), Need.SCHOOLING: ("cef", "eps_student", "kindergarten"),
    Need.VIOLENCE: ("emf", "ceo", "eps_women"), Need.PSYCHO: ("ceo", "emf"), Need.ELDERLY_CARE: ("eps_elderly", "ups"),
}
PSEUDONYMS = ["أم ياسين", "با حماد", "السيدة ديال المحطة الطرقية", "الشاب ديال السوق", "لالة فاطنة",
              "الحاجة", "أم أيمن", "الشاب قرب المحطة", "Mi Aicha", "Le garçon du port"]
CLOSURES: list[tuple[str, float, list[tuple[str, float]]]] = [
    (ClosureReason.GOALS_MET, 36, [(ClosureOutcome.IMPROVED, 6), (ClosureOutcome.REINTEGRATED, 3),
                                   (ClosureOutcome.STABLE, 2)]),
    (ClosureReason.REFERRED_OUT, 20, [(ClosureOutcome.STABLE, 4), (ClosureOutcome.IMPROVED, 3),
                                      (ClosureOutcome.PLACED, 1)]),
    (ClosureReason.NO_CONTACT, 18, [(ClosureOutcome.UNCHANGED, 1)]),
    (ClosureReason.MOVED, 9, [(ClosureOutcome.UNCHANGED, 2), (ClosureOutcome.STABLE, 1)]),
    (ClosureReason.REFUSED, 9, [(ClosureOutcome.UNCHANGED, 3), (ClosureOutcome.WORSE, 1)]),
    (ClosureReason.DECEASED, 3, [(ClosureOutcome.UNCHANGED, 1)]),
    (ClosureReason.DUPLICATE, 5, [(ClosureOutcome.UNCHANGED, 1)]),
]
DISABILITY_KINDS = [("motor", 40), ("mental", 20), ("visual", 12), ("hearing", 10), ("multiple", 10), ("psychic", 8)]
FOLLOW_KINDS = frozenset({Task.Kind.VISIT, Task.Kind.CALL, Task.Kind.MEETING})
JOURNAL_FIELDS = ("at", "kind", "actor_id", "actor_label", "action", "object_type", "object_id", "object_repr",
                  "org_unit_id", "changes", "via")

# ---- what agents write -------------------------------------------------------------------------
#
# Free texts come in Arabic and in French, (Arabic variants, French variants): agents write mostly
# in Arabic, some in French. A case is written in one language throughout (``Bundle.lang``).

Texts = tuple[tuple[str, ...], tuple[str, ...]]
AR, FR = "ar", "fr"
FRENCH_SHARE = 0.2  # cases written in French

REPORTERS: dict[str, Texts] = {
    Channel.AUTHORITY: (("قيادة", "باشوية", "عون السلطة (المقدم)", "الملحقة الإدارية"),
                        ("Caïdat", "Pachalik", "Moqaddem du quartier")),
    Channel.POLICE: (("الدائرة الأمنية", "المنطقة الأمنية", "مركز الدرك الملكي"),
                     ("Commissariat d'arrondissement", "Brigade de gendarmerie")),
    Channel.HOSPITAL: (("المستشفى الإقليمي", "المساعدة الاجتماعية بالمستشفى", "المركز الصحي الحضري"),
                       ("Service social de l'hôpital provincial", "Centre de santé urbain")),
    Channel.SCHOOL: (("إدارة المدرسة", "خلية الإنصات بالإعدادية", "مدير المؤسسة التعليمية"),
                     ("Direction de l'école", "Cellule d'écoute du collège")),
    Channel.PARTNER: (("جمعية شريكة", "جمعية الحي"), ("Association partenaire",)),
    Channel.FAMILY: (("أحد الجيران", "أخ الشخص المعني", "إحدى القريبات"), ("Une voisine", "Le frère de la personne")),
}
ACCOUNTS: dict[str, Texts] = {
    Channel.WALK_IN: (("حضور تلقائي إلى المركز لطلب المساعدة.",
                       "حضور إلى المركز رفقة أحد أفراد الأسرة لعرض الوضعية.",
                       "طلب الدعم بعد فقدان مصدر الدخل الوحيد للأسرة.",
                       "حضور إلى المركز بعد نزاع مع الأسرة وترك بيت الزوجية."),
                      ("Venue au centre pour demander de l'aide.",
                       "Venue accompagnée d'un proche pour exposer sa situation.")),
    Channel.PHONE: (("اتصال بهاتف المركز.", "اتصال هاتفي لطلب موعد والاستفسار عن الخدمات.",
                     "اتصال هاتفي لطلب المساعدة في إجراءات إدارية."),
                    ("Appel au numéro du centre.", "Appel pour demander un rendez-vous.")),
    Channel.OUTREACH: (("تم اللقاء خلال الجولة الليلية.",
                        "رصد الحالة خلال جولة الوحدة المتنقلة للمساعدة الاجتماعية.",
                        "لقاء قرب المحطة الطرقية خلال جولة ميدانية."),
                       ("Rencontre lors de la tournée de nuit.", "Repérage lors de la maraude du Samu social.")),
    Channel.AUTHORITY: (("إشعار من السلطة المحلية بوضعية هشاشة بالحي.", "إحالة من القيادة بعد شكاية الجيران."),
                        ("Signalement de l'autorité locale.",)),
    Channel.POLICE: (("إحالة من المصالح الأمنية بعد تدخل ليلي.", "تبليغ من الشرطة عن شخص دون مأوى."),
                     ("Signalement de la police après une intervention de nuit.",)),
    Channel.HOSPITAL: (("إشعار من المساعدة الاجتماعية بالمستشفى بخروج مريض دون سند عائلي.",
                        "إحالة من المستشفى الإقليمي بعد الاستشفاء."),
                       ("Signalement du service social de l'hôpital : sortie sans soutien familial.",)),
    Channel.SCHOOL: (("إشعار من إدارة المدرسة بانقطاع التلميذ عن الدراسة.",
                      "تبليغ من خلية الإنصات بالمؤسسة التعليمية."),
                     ("Signalement de l'école : absences répétées.",)),
    Channel.PARTNER: (("توجيه من جمعية شريكة.", "إحالة من جمعية الحي بعد زيارة منزلية."),
                      ("Orientation par une association partenaire.",)),
    Channel.FAMILY: (("تبليغ من أحد أفراد الأسرة.", "اتصال من أحد الجيران للتبليغ عن الوضعية."),
                     ("Signalement par un proche.",)),
}
PLACE: Texts = (("بالمركز",), ("Au centre",))

NEED_SECTOR: dict[str, str] = {
    Need.SHELTER: Sector.SOCIAL, Need.FOOD: Sector.SOCIAL, Need.HEALTH: Sector.HEALTH, Need.DISABILITY: Sector.HEALTH,
    Need.SCHOOLING: Sector.SCHOOL, Need.DOCUMENTS: Sector.CIVIL, Need.VIOLENCE: Sector.JUSTICE,
    Need.FAMILY: Sector.SOCIAL, Need.EMPLOYMENT: Sector.EMPLOYMENT, Need.INCOME: Sector.SOCIAL,
    Need.LEGAL: Sector.JUSTICE, Need.PSYCHO: Sector.HEALTH, Need.ELDERLY_CARE: Sector.SOCIAL, Need.OTHER: Sector.OTHER,
}
NEED_GOALS: dict[str, Texts] = {
    Need.SHELTER: (("إيجاد سكن مستقر", "تأمين مأوى لائق ومستقر", "الإيواء المؤقت في انتظار حل سكني دائم"),
                   ("Trouver un hébergement stable", "Sécuriser un logement pour la famille")),
    Need.FOOD: (("ضمان المساعدة الغذائية للأسرة", "تأمين الحاجيات الغذائية الأساسية للأسرة"),
                ("Assurer l'aide alimentaire du foyer", "Couvrir les besoins alimentaires de base")),
    Need.HEALTH: (("الولوج إلى العلاج والتتبع الطبي", "تسوية التغطية الصحية في إطار أمو تضامن",
                   "انتظام التتبع الطبي للمرض المزمن"),
                  ("Accès aux soins et suivi médical", "Ouvrir les droits à l'AMO Tadamon")),
    Need.DISABILITY: (("الحصول على بطاقة الإعاقة ومساعدة تقنية", "الاستفادة من كرسي متحرك وحصص الترويض",
                       "إدماج الطفل في قسم الدمج المدرسي"),
                      ("Obtenir la carte de handicap et une aide technique", "Accès à la rééducation")),
    Need.SCHOOLING: (("إعادة التسجيل والمواظبة الدراسية", "محاربة الهدر المدرسي وتتبع المواظبة",
                      "الاستفادة من برنامج تيسير والدعم المدرسي"),
                     ("Réinscription et assiduité scolaire", "Prévenir le décrochage scolaire")),
    Need.DOCUMENTS: (("استخراج البطاقة الوطنية وتسوية الحالة المدنية", "تسجيل الطفل في سجلات الحالة المدنية",
                      "استخراج عقد الازدياد والبطاقة الوطنية للتعريف"),
                     ("Établir la CIN et l'état civil", "Inscription à l'état civil")),
    Need.VIOLENCE: (("الحماية والمواكبة القانونية", "ضمان سلامة الضحية ومواكبتها أمام القضاء",
                     "الحماية من العنف والتكفل النفسي"),
                    ("Mise en sécurité et accompagnement juridique", "Protection et suivi de la plainte")),
    Need.FAMILY: (("الوساطة الأسرية", "إعادة ربط الصلة مع الأسرة", "الصلح بين الزوجين وحماية الأطفال"),
                  ("Médiation familiale", "Rétablir le lien familial")),
    Need.EMPLOYMENT: (("تكوين تأهيلي أو شغل", "الإدماج المهني عبر التكوين بالتدرج المهني",
                       "مواكبة مشروع مدر للدخل"),
                      ("Formation qualifiante ou emploi", "Insertion professionnelle")),
    Need.INCOME: (("التسجيل في السجل الاجتماعي الموحد والدعم المباشر", "الاستفادة من الدعم الاجتماعي المباشر",
                   "تحسين دخل الأسرة"),
                  ("Inscription au RSU et à l'aide sociale directe", "Accès à l'aide sociale directe")),
    Need.LEGAL: (("الولوج إلى المساعدة القانونية", "الاستفادة من المساعدة القضائية", "تتبع الملف أمام المحكمة"),
                 ("Accès à l'aide juridique", "Suivi de la procédure judiciaire")),
    Need.PSYCHO: (("دعم نفسي منتظم", "التكفل النفسي وتجاوز الصدمة", "الدعم النفسي والاجتماعي"),
                  ("Soutien psychologique régulier", "Prise en charge psychologique")),
    Need.ELDERLY_CARE: (("البقاء في البيت مع المساعدة", "ضمان رعاية المسن داخل أسرته",
                         "الإيواء بمؤسسة للرعاية الاجتماعية للأشخاص المسنين عند الحاجة"),
                        ("Maintien à domicile avec aide", "Prise en charge de la personne âgée")),
    Need.OTHER: (("استقرار الوضعية", "تحسين الظروف المعيشية", "مواكبة الشخص في إجراءاته الإدارية"),
                 ("Stabiliser la situation", "Accompagnement dans les démarches")),
}
NEED_ACTIONS: dict[str, Texts] = {
    Need.SHELTER: (("البحث عن مكان للإيواء", "إيواء مستعجل بمركز الإيواء",
                    "الاتصال بمؤسسة الرعاية الاجتماعية لحجز مكان", "زيارة السكن المقترح رفقة الشخص"),
                   ("Chercher une place d'hébergement", "Contacter l'EPS pour une place")),
    Need.FOOD: (("تسليم قفة غذائية", "تسجيل الأسرة في لائحة المستفيدين من المساعدات الغذائية",
                 "التنسيق مع الجمعية الشريكة لتوزيع المساعدات"),
                ("Remettre un panier alimentaire", "Inscrire le foyer à la distribution d'aide")),
    Need.HEALTH: (("أخذ موعد بالمستشفى", "مرافقة إلى المستشفى الإقليمي لإجراء الفحوصات",
                   "إيداع ملف التغطية الصحية أمو تضامن", "اقتناء الأدوية الموصوفة"),
                  ("Prendre rendez-vous à l'hôpital", "Accompagner aux examens médicaux")),
    Need.DISABILITY: (("إيداع طلب بطاقة الإعاقة", "إعداد ملف طلب كرسي متحرك",
                       "التوجيه إلى مركز توجيه ومساعدة الأشخاص في وضعية إعاقة"),
                      ("Déposer la demande de carte de handicap", "Orienter vers le COAPH")),
    Need.SCHOOLING: (("لقاء إدارة المدرسة", "إعادة تسجيل الطفل بالمؤسسة التعليمية",
                      "التسجيل في برنامج الدعم المدرسي", "إعداد ملف الاستفادة من برنامج تيسير"),
                     ("Rencontrer la direction de l'école", "Réinscrire l'enfant à l'école")),
    Need.DOCUMENTS: (("المرافقة إلى مكتب الحالة المدنية", "إعداد ملف البطاقة الوطنية للتعريف",
                      "إيداع طلب التسجيل المتأخر في الحالة المدنية بالمحكمة"),
                     ("Accompagner au bureau d'état civil", "Préparer le dossier de CIN")),
    Need.VIOLENCE: (("التوجيه إلى خلية التكفل بالنساء والأطفال بالمحكمة", "مرافقة الضحية لوضع شكاية لدى الشرطة",
                     "الحصول على شهادة طبية تثبت مدة العجز",
                     "اجتماع دراسة الحالة مع خلية التكفل بالنساء والأطفال بالمحكمة"),
                    ("Orienter vers la cellule de prise en charge du tribunal", "Accompagner le dépôt de plainte")),
    Need.FAMILY: (("جلسة وساطة مع الأسرة", "زيارة الأسرة الممتدة", "استدعاء الأب لجلسة استماع"),
                  ("Séance de médiation avec la famille", "Rencontrer les proches")),
    Need.EMPLOYMENT: (("التسجيل في أنابيك أو في تكوين", "التسجيل في مركز التكوين بالتدرج المهني",
                       "إعداد السيرة الذاتية ومواكبة البحث عن شغل", "التوجيه إلى برنامج أوراش"),
                      ("Inscrire à l'ANAPEC ou à une formation", "Préparer le CV et les candidatures")),
    Need.INCOME: (("إعداد ملف التسجيل في السجل الاجتماعي الموحد", "تتبع طلب الدعم الاجتماعي المباشر",
                   "المرافقة إلى الملحقة الإدارية لتحيين المعطيات"),
                  ("Constituer le dossier RSU", "Suivre la demande d'aide directe")),
    Need.LEGAL: (("الاتصال بمحامي المساعدة القضائية", "إيداع طلب المساعدة القضائية", "المرافقة إلى جلسة المحكمة"),
                 ("Contacter l'avocat de l'aide juridique", "Déposer la demande d'assistance judiciaire")),
    Need.PSYCHO: (("موعد مع الأخصائية النفسية", "جلسة إنصات ودعم نفسي", "التوجيه إلى طبيب نفسي بالمستشفى"),
                  ("Rendez-vous avec la psychologue", "Séance d'écoute")),
    Need.ELDERLY_CARE: (("تنظيم المساعدة في البيت", "زيارة منزلية للتأكد من ظروف عيش المسن",
                         "التنسيق مع المركز الصحي لتتبع المسن"),
                        ("Organiser l'aide à domicile", "Visite du domicile de la personne âgée")),
    Need.OTHER: (("تقييم الوضع مع الشخص", "مرافقة الشخص في إجراءاته الإدارية"),
                 ("Faire le point avec la personne", "Démarche administrative")),
}
REFERRAL_REASONS: dict[str, Texts] = {
    Need.SHELTER: (("طلب إيواء مؤقت في انتظار حل دائم.", "الشخص بدون مأوى، المرجو استقباله."),
                   ("Demande d'hébergement temporaire.",)),
    Need.FOOD: (("طلب الاستفادة من المساعدة الغذائية.",), ("Demande d'aide alimentaire.",)),
    Need.HEALTH: (("طلب التكفل الطبي وإجراء الفحوصات اللازمة.", "طلب موعد للفحص لدى الطبيب المختص."),
                  ("Demande de prise en charge médicale.",)),
    Need.DISABILITY: (("طلب تقييم الإعاقة والاستفادة من مساعدة تقنية.", "طلب حصص الترويض الطبي."),
                      ("Demande d'évaluation et d'aide technique.",)),
    Need.SCHOOLING: (("طلب إعادة إدماج الطفل في الدراسة.", "طلب التسجيل في التربية غير النظامية."),
                     ("Demande de réinscription scolaire.",)),
    Need.DOCUMENTS: (("طلب المساعدة في تسوية الحالة المدنية.",), ("Demande d'appui pour l'état civil.",)),
    Need.VIOLENCE: (("طلب حماية الضحية ومواكبتها القانونية.", "ضحية عنف زوجي، المرجو التكفل بها."),
                    ("Demande de protection et d'accompagnement juridique.",)),
    Need.FAMILY: (("طلب جلسات وساطة أسرية.",), ("Demande de médiation familiale.",)),
    Need.EMPLOYMENT: (("طلب التسجيل في تكوين تأهيلي.", "طلب المواكبة في البحث عن شغل."),
                      ("Demande d'inscription à une formation.",)),
    Need.INCOME: (("طلب دراسة الاستفادة من الدعم الاجتماعي المباشر.",), ("Demande d'aide sociale directe.",)),
    Need.LEGAL: (("طلب المساعدة القضائية.", "طلب الاستشارة القانونية."), ("Demande d'aide juridique.",)),
    Need.PSYCHO: (("طلب متابعة نفسية منتظمة.", "طلب جلسات الدعم النفسي."), ("Demande de suivi psychologique.",)),
    Need.ELDERLY_CARE: (("طلب التكفل بشخص مسن بدون سند.", "طلب المساعدة في البيت لشخص مسن."),
                        ("Demande de prise en charge d'une personne âgée.",)),
    Need.OTHER: (("طلب دراسة الوضعية والتكفل.",), ("Demande d'examen de la situation.",)),
}
EXTERNAL_SERVICE: dict[str, Texts] = {
    Sector.HEALTH: (("المستشفى الإقليمي", "المركز الصحي الحضري", "مصلحة المساعدة الاجتماعية بالمستشفى"),
                    ("Hôpital provincial", "Centre de santé urbain")),
    Sector.JUSTICE: (("خلية التكفل بالنساء والأطفال بالمحكمة الابتدائية", "النيابة العامة بالمحكمة الابتدائية"),
                     ("Tribunal de première instance — cellule femmes et enfants",)),
    Sector.SCHOOL: (("المديرية الإقليمية للتربية الوطنية", "إدارة المؤسسة التعليمية"),
                    ("Direction provinciale de l'éducation",)),
    Sector.EMPLOYMENT: (("وكالة أنابيك", "مركز التكوين المهني"), ("Agence ANAPEC", "Centre de formation OFPPT")),
    Sector.CIVIL: (("مكتب الحالة المدنية بالجماعة", "الملحقة الإدارية"), ("Bureau d'état civil de la commune",)),
    Sector.SOCIAL: (("قسم العمل الاجتماعي بالعمالة", "المصلحة الاجتماعية بالجماعة"),
                    ("Programme INDH de la préfecture", "Service social de la commune")),
    Sector.SECURITY: (("الدائرة الأمنية", "مركز الدرك الملكي"), ("Commissariat d'arrondissement",)),
    Sector.OTHER: (("مصلحة خارجية",), ("Service extérieur",)),
}
FOLLOW_UP_TITLES: dict[str, Texts] = {
    Task.Kind.VISIT: (("زيارة منزلية", "زيارة منزلية للتتبع", "زيارة ميدانية للأسرة", "زيارة للتأكد من ظروف السكن"),
                      ("Visite à domicile", "Visite de suivi")),
    Task.Kind.CALL: (("مكالمة تتبع", "اتصال هاتفي للتتبع", "الاتصال بالأسرة للاطمئنان على الوضعية",
                      "مكالمة للتذكير بالموعد"),
                     ("Appel de suivi", "Appel à la famille")),
    Task.Kind.MEETING: (("مقابلة بالمركز", "جلسة تتبع بالمركز", "اجتماع دراسة الحالة مع فريق المؤسسة"),
                        ("Entretien au centre", "Réunion de suivi")),
    Task.Kind.REVIEW: (("مراجعة الخطة", "المراجعة الدورية لخطة التكفل", "تقييم مدى تقدم الخطة"),
                       ("Revoir le plan", "Révision périodique du plan")),
}
FOLLOW_UP_NOTES: Texts = (
    ("الوضعية مستقرة والإجراءات جارية.", "تم التواصل مع الأسرة.", "تحسن ملحوظ في الوضعية.",
     "تم الحصول على الموعد بالمستشفى.", "لا جديد يذكر، سيتم الاتصال مجددا الأسبوع المقبل.",
     "تم تسليم الوثائق المطلوبة.", "الشخص لم يكن في البيت، تم ترك رسالة لدى الجيران.",
     "الأسرة متعاونة والتزامات الخطة محترمة."),
    ("Situation stable, démarches en cours.", "La personne a obtenu son rendez-vous.", "Pas de changement notable.",
     "Dossier administratif complété."),
)
REVIEW_NOTES: Texts = (
    ("تقدم في تنفيذ الخطة.", "الأهداف ما زالت قائمة مع تحيين الآجال.", "تحقق جزء من الأهداف، مواصلة التتبع.",
     "تحديد آجال جديدة للإجراءات الإدارية."),
    ("Le plan avance, objectifs maintenus.", "Nouvelle échéance pour les démarches administratives."),
)
OVERRIDE_REASONS: Texts = (
    ("الوضعية أخطر مما يظهر في الأجوبة.", "وضعية ملاحظة خلال الزيارة المنزلية.", "استعادة السند العائلي منذ المقابلة."),
    ("Situation observée lors de la visite à domicile.", "Soutien familial retrouvé depuis l'entretien."),
)
FIRST_ACTIONS: Texts = (
    ("إيواء مستعجل بمركز الإيواء وطلب شهادة طبية.", "تم إيواء الشخص بشكل مستعجل.",
     "تنظيم التكفل الطبي المستعجل بالمستشفى الإقليمي.", "إشعار النيابة العامة وإيواء الضحية في مكان آمن.",
     "توفير المبيت والتغذية في انتظار دراسة الحالة."),
    ("Hébergement d'urgence trouvé pour la nuit.", "Prise en charge médicale organisée.",
     "Signalement au procureur et mise à l'abri."),
)
CONFERENCE_NOTES: Texts = (
    ("اجتماع دراسة الحالة مع خلية التكفل بالنساء والأطفال بالمحكمة: تم حصر خطة التكفل الفردي.",
     "اجتماع تركيبي مع المساعدة الاجتماعية والأخصائية النفسية: الاتفاق على خطة التكفل.",
     "دراسة الحالة مع فريق المؤسسة والسلطة المحلية وتحديد المتدخلين."),
    ("Réunion de synthèse : plan individuel arrêté.",
     "Réunion avec l'unité de protection et l'assistante sociale du tribunal."),
)
PLAN_NOTES: Texts = (
    ("خطة التكفل الفردي جاهزة، المرجو المصادقة عليها.", "خطة التكفل الفردي: الإيواء والمواكبة القانونية.",
     "المرجو المصادقة على خطة التكفل الفردي."),
    ("Plan individuel soumis pour approbation.", "Plan individuel : mise à l'abri et accompagnement juridique."),
)
REFUSAL_COMMENTS: Texts = (("الخطة تحتاج إلى أهداف أدق.", "المرجو تحديد الآجال والمتدخلين."),
                           ("Préciser les objectifs et les échéances.",))
PLACEMENT_NOTES: Texts = (("لا يوجد حل عائلي.", "غياب السند العائلي ورفض الأسرة استقبال الشخص.",
                           "الإيواء ضروري لحماية الشخص."),
                          ("Pas de solution familiale.",))
PLACEMENT_ENDS: Texts = (("العودة إلى الأسرة.", "إيجاد حل سكني.", "الانتقال إلى مؤسسة أخرى."),
                         ("Retour en famille.", "Solution de logement trouvée."))
DECLINE_REASONS: Texts = (("لا توجد أماكن شاغرة.", "الطلب خارج اختصاص المؤسسة.", "الشخص لا يستوفي شروط الاستفادة."),
                          ("Plus de place disponible.", "Hors de notre mission.",
                           "La personne ne remplit pas les conditions."))
REVOKE_REASONS: Texts = (("وجد الشخص حلا آخر.", "توجيه تم عن طريق الخطأ."),
                         ("La personne a trouvé une solution.", "Orientation faite par erreur."))
OUTCOME_NOTES: dict[str, Texts] = {
    Outcome.SERVED: (("استفاد الشخص من الخدمة المطلوبة.", "تم التكفل بالشخص وإخبار المركز بالنتيجة."),
                     ("Service rendu, la personne est satisfaite.",)),
    Outcome.PARTLY: (("تم التكفل بجزء من الطلب، الباقي في طور الإنجاز.",), ("Prise en charge partielle.",)),
    Outcome.ENROLLED: (("تم تسجيل الشخص في البرنامج.",), ("Inscription faite.",)),
    Outcome.ADMITTED: (("تم قبول الشخص بالمؤسسة.",), ("Admission confirmée.",)),
    Outcome.NOT_SHOWN: (("لم يحضر الشخص إلى الموعد رغم التذكير.",), ("La personne ne s'est pas présentée.",)),
    Outcome.NOT_ELIGIBLE: (("الشخص لا يستوفي شروط البرنامج.",), ("Conditions non remplies.",)),
}
CLOSURE_NOTES: dict[str, Texts] = {
    ClosureReason.GOALS_MET: (("تم إغلاق الملف بعد تحقيق الأهداف.", "تحققت أهداف خطة التكفل."),
                              ("Objectifs du plan atteints.",)),
    ClosureReason.REFERRED_OUT: (("الشخص في عهدة مصلحة أخرى تتابع وضعيته.",),
                                 ("Pris en charge par un autre service.",)),
    ClosureReason.NO_CONTACT: (("انقطع التواصل بعد ثلاث محاولات اتصال.",), ("Sans nouvelles après trois appels.",)),
    ClosureReason.MOVED: (("انتقلت الأسرة للسكن في مدينة أخرى.",), ("La famille a déménagé.",)),
    ClosureReason.REFUSED: (("إغلاق الملف بطلب من الشخص.",), ("Dossier clos à la demande de la personne.",)),
    ClosureReason.DECEASED: (("وفاة الشخص.",), ("Décès de la personne.",)),
    ClosureReason.DUPLICATE: (("ملف مفتوح عن طريق الخطأ.",), ("Dossier ouvert en double.",)),
}
TRANSFER_REASONS: Texts = (("انتقال الأسرة إلى حي آخر.", "التكفل أقرب إلى مقر السكن."),
                           ("Déménagement de la famille.", "Prise en charge plus proche du domicile."))
TRANSFER_DECLINES: Texts = (("لا يمكن إضافة تتبع جديد حاليا.",), ("Pas de place pour un suivi supplémentaire.",))


PLAN_SHARE: dict[str, float] = {Level.LOW: 0.15, Level.MEDIUM: 0.65, Level.HIGH: 0.85}  # cases given a plan
LEVEL_SEVERITY: dict[str, float] = {Level.LOW: 0.05, Level.MEDIUM: 0.35, Level.HIGH: 0.6, Level.EXTREME: 1.0}
SEVERITY_PUSH = 1.0  # how strongly a severe situation pulls each answer towards the worse options
QUESTION_OPTIONS: dict[str, list[str]] = {q: [o for o, _l in options] for q, (_label, options) in QUESTIONS.items()}
TASK_LAG = [0, 0, 0, 0, 1, 2, -1, -2, 3]  # days between a task's date and when it was done
FIVE_MIN = timedelta(minutes=5)
M = TypeVar("M", bound=Model)


class W:
    """A weighted choice with its cumulative weights computed once."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, pairs: Sequence[tuple[Any, float]]) -> None:
        self.items = [p[0] for p in pairs]
        self.cum = list(accumulate(p[1] for p in pairs))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random) -> Any:
        return self.items[bisect(self.cum, rng.random() * self.total)]


PICK_CHANNEL = W(CHANNELS)
PICK_URGENCY = W([(Urgency.NORMAL, 85), (Urgency.HIGH, 12), (Urgency.LIFE, 3)])
PICK_RETURN_CHANNEL = W([(Channel.WALK_IN, 6), (Channel.PHONE, 4)])
PICK_ANONYMOUS_CHANNEL = W([(Channel.PHONE, 7), (Channel.WALK_IN, 3)])
PICK_FOLLOW_UP = W([(Task.Kind.VISIT, 40), (Task.Kind.CALL, 45), (Task.Kind.MEETING, 15)])
PICK_TARGET = W([(Target.INTERNAL, 50), (Target.PARTNER, 22), (Target.EXTERNAL, 28)])
PICK_REFERRAL_CLOSED = W([(Referral.State.COMPLETED, 75), (Referral.State.DECLINED, 17), (Referral.State.REVOKED, 8)])
PICK_REFERRAL_RECENT = W([(Referral.State.SENT, 60), (Referral.State.ACCEPTED, 30), (Referral.State.DECLINED, 10)])
PICK_REFERRAL_OLD = W([(Referral.State.COMPLETED, 62), (Referral.State.ACCEPTED, 17), (Referral.State.SENT, 7),
                       (Referral.State.DECLINED, 10), (Referral.State.REVOKED, 4)])
PICK_OUTCOME = W([(Outcome.SERVED, 45), (Outcome.PARTLY, 15), (Outcome.ENROLLED, 12), (Outcome.ADMITTED, 12),
                  (Outcome.NOT_SHOWN, 10), (Outcome.NOT_ELIGIBLE, 6)])
PICK_OUTCOME_OUTSIDE = W([(Outcome.SERVED, 45), (Outcome.PARTLY, 15), (Outcome.ENROLLED, 12),
                          (Outcome.NOT_SHOWN, 10), (Outcome.NOT_ELIGIBLE, 6)])
PICK_CLOSURE = W([((reason, W(outcomes)), weight) for reason, weight, outcomes in CLOSURES])
PICK_TRANSFER = W([(Transfer.State.ACCEPTED, 60), (Transfer.State.PENDING, 20), (Transfer.State.DECLINED, 15),
                   (Transfer.State.CANCELLED, 5)])
PICK_DISABILITY = W(DISABILITY_KINDS)
PICK_NEED_ANY = W(list(NEED_BASE.items()))


def _say(rng: random.Random, lang: str, texts: Texts) -> str:
    """One of the variants in the case's language."""
    options = texts[0] if lang == AR else texts[1]
    return options[int(rng.random() * len(options))]


def _age(today: date, birth: date | None, year: int | None) -> int:
    if birth is not None:
        return max(0, (today - birth).days // 365)
    return max(0, today.year - (year or today.year - 35))


# ---- rows without the ORM's per-row cost ------------------------------------------------------------


@dataclass
class Spec:
    table: str
    pk: str
    attnames: list[str]
    columns: list[str]
    adapters: list[Callable[[Any], Any] | None]
    defaults: dict[str, Any]


def _utc_text(value: datetime) -> str:
    text = value.isoformat(" ")
    return text[:-6] if text.endswith("+00:00") else str(value.astimezone(UTC).replace(tzinfo=None))


def _adapter(f: Any) -> Callable[[Any], Any] | None:
    """How a value of this field goes to the database: dates and datetimes as SQLite stores
    them (UTC text), JSON encoded; PostgreSQL's driver takes dates as they are."""
    kind = f.get_internal_type()
    sqlite = connection.vendor == "sqlite"
    if kind == "DateTimeField":
        return _utc_text if sqlite else connection.ops.adapt_datetimefield_value
    if kind == "DateField":
        return str if sqlite else connection.ops.adapt_datefield_value
    if kind == "JSONField":
        return partial(connection.ops.adapt_json_value, encoder=f.encoder)  # what get_db_prep_save ends in
    return None


class Rows:
    """Model instances built without ``Model.__init__`` (defaults copied from the fields), ids
    handed out here for the rows others point to, and inserts with one ``executemany`` per
    table. At a million persons the ORM's ``bulk_create`` spends most of its time preparing
    each value; this keeps to the columns and the database's own adapters."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.specs: dict[type[Model], Spec] = {}
        self.defaults: dict[type[Model], dict[str, Any]] = {}
        self.next_id: dict[type[Model], int] = {}
        self.explicit: set[type[Model]] = set()

    def spec(self, model: type[Model]) -> Spec:
        sp = self.specs.get(model)
        if sp is not None:
            return sp
        attnames: list[str] = []
        columns: list[str] = []
        adapters: list[Callable[[Any], Any] | None] = []
        defaults: dict[str, Any] = {}
        for f in model._meta.concrete_fields:
            attnames.append(f.attname)
            columns.append(f.column)
            adapters.append(_adapter(f))
            if f.primary_key:
                defaults[f.attname] = None
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                defaults[f.attname] = self.now
            else:
                defaults[f.attname] = f.get_default()
        pk = model._meta.pk
        assert pk is not None
        sp = Spec(model._meta.db_table, pk.attname, attnames, columns, adapters, defaults)
        self.specs[model] = sp
        return sp

    def new(self, model: type[M], **values: Any) -> M:
        obj = model.__new__(model)
        d = obj.__dict__
        defaults = self.defaults.get(model)
        if defaults is None:
            defaults = self.defaults[model] = {**self.spec(model).defaults, "_state": None}
        d.update(defaults)
        d.update(values)
        d["_state"] = ModelState()
        return obj

    def take_id(self, model: type[Model]) -> int:
        n = self.next_id.get(model)
        if n is None:
            n = (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1
            self.explicit.add(model)
        self.next_id[model] = n + 1
        return n

    def insert(self, model: type[Model], objs: Sequence[Model]) -> int:
        if not objs:
            return 0
        sp = self.spec(model)
        with_pk = objs[0].__dict__[sp.pk] is not None
        attnames = [a for a in sp.attnames if with_pk or a != sp.pk]
        get = itemgetter(*attnames)
        return self.insert_values(model, attnames, [get(o.__dict__) for o in objs])

    def insert_values(self, model: type[Model], attnames: Sequence[str], values: Sequence[Sequence[Any]]) -> int:
        """Rows given as tuples of these fields' values (no model instances: the journal's)."""
        if not values:
            return 0
        sp = self.spec(model)
        keep = [sp.attnames.index(a) for a in attnames]
        adapt = [(j, sp.adapters[i]) for j, i in enumerate(keep) if sp.adapters[i] is not None]
        qn = connection.ops.quote_name
        sql = (f"INSERT INTO {qn(sp.table)} ({', '.join(qn(sp.columns[i]) for i in keep)}) "
               f"VALUES ({', '.join(['%s'] * len(keep))})")
        rows = []
        for v in values:
            row = list(v)
            for j, f in adapt:
                if row[j] is not None:
                    row[j] = f(row[j])  # type: ignore[misc]
            rows.append(row)
        with connection.cursor() as cur:
            for i in range(0, len(rows), 50_000):
                cur.executemany(sql, rows[i:i + 50_000])
        return len(rows)

    def reset_sequences(self) -> None:
        """After rows written with their ids (PostgreSQL keeps a sequence per table)."""
        from django.core.management.color import no_style

        statements = connection.ops.sequence_reset_sql(no_style(), sorted(self.explicit, key=lambda m: m.__name__))
        if statements:
            with connection.cursor() as cur:
                for sql in statements:
                    cur.execute(sql)


# ---- what is generated, before insertion ------------------------------------------------------


@dataclass
class Est:
    pk: int
    province: int
    region: int
    delegation: int
    type: str
    capacity: int | None
    partner: int | None
    code: str = ""


@dataclass
class PersonRow:
    pk: int
    sex: str
    age: int
    est: int
    disability: str


@dataclass
class Bundle:
    """One case and everything that happened on it."""

    case: Case
    person: PersonRow
    need_list: list[str]
    group_list: list[str]
    lang: str = AR  # what the case's free texts are written in
    sessions: list[ListeningSession] = field(default_factory=list)
    needs: list[SessionNeed] = field(default_factory=list)
    groups: list[CaseGroup] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    track: ExtremeTrack | None = None
    approvals: list[Approval] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)


@dataclass
class Batch:
    """The rows of one chunk of persons, written in one transaction."""

    bundles: list[Bundle] = field(default_factory=list)
    loose_sessions: list[ListeningSession] = field(default_factory=list)  # information only, no case
    loose_needs: list[SessionNeed] = field(default_factory=list)
    new_persons: list[Person] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)
    sharing: dict[int, Consent] = field(default_factory=dict)  # person -> their consent to sharing
    person_dates: list[tuple[int, datetime, str]] = field(default_factory=list)  # (pk, registered, disability)
    consent_dates: list[tuple[int, datetime]] = field(default_factory=list)  # listening consents already there
    journal: list[tuple[Any, ...]] = field(default_factory=list)  # rows of JOURNAL_FIELDS


def status_of(b: Bundle) -> str:
    """``cases.services.status_from`` on the rows in memory, with the same precedence."""
    c = b.case
    if c.closed_at is not None:
        return Status.CLOSED
    if any(p.state == Placement.State.ACTIVE for p in b.placements):
        return Status.PLACED
    track = b.track if c.extreme else None
    has_plan = bool(b.goals)
    plan_ok = has_plan and (track is None or track.plan_approved_at is not None)
    accepted = any(r.status in (Referral.State.ACCEPTED, Referral.State.COMPLETED) for r in b.referrals)
    if plan_ok or accepted:
        followed = any(t.kind in FOLLOW_KINDS and t.done_at is not None for t in b.tasks)
        return Status.FOLLOW_UP if followed and plan_ok else Status.IN_CARE
    if any(r.status == Referral.State.SENT for r in b.referrals):
        return Status.REFERRED
    if b.assessments or has_plan:
        return Status.ASSESSMENT
    channels = [s.channel for s in b.sessions]
    if channels and all(ch in REPORT_CHANNELS for ch in channels):
        return Status.REPORTED
    return Status.RECEIVED


class Generator:
    """Random casework on the institution and the registry already in the database."""

    def __init__(self, seed: int, now: datetime) -> None:
        self.rng = random.Random(seed * 7919 + 17)
        self.trng = random.Random(seed * 104_729 + 71)  # what agents write: apart, so texts do not move the rest
        self.now = now
        self.today = timezone.localdate(now)
        self.rows = Rows(now)
        self.scheme: AssessmentScheme = active_scheme()
        self.quiet_delegations: set[int] = set()  # where pending approvals are hand-made (personas)
        self.reserved: set[int] = set()  # persons kept for the personas
        self.has_listening: set[int] = set()  # persons of the current chunk with a listening consent
        self.needs_cache: dict[tuple[str, ...], W] = {}
        self._load()

    def _load(self) -> None:
        self.est: dict[int, Est] = {}
        for pk, prov, region, parent, code, cap, partner, unit_code in (
                OrgUnit.objects.filter(kind=OrgUnit.Kind.ESTABLISHMENT, active=True)
                .values_list("pk", "commune__province_id", "commune__province__region_id", "parent_id",
                             "establishment_type__code", "capacity", "partner_id", "code").order_by("pk")):
            if prov is not None and parent is not None:
                self.est[pk] = Est(pk, prov, region, parent, code or "", cap, partner, unit_code)
        self.persona: dict[str, int] = dict(User.objects.filter(username__in=[
            "agent.casa", "manager.casa", "delegate.casa", "partner.casa"]).values_list("username", "pk"))
        self.agents: dict[int, list[int]] = {}
        self.managers: dict[int, list[int]] = {}
        self.delegates: dict[int, list[int]] = {}
        for user_id, role, unit in (Assignment.objects.active()
                                    .filter(role__in=[Role.AGENT, Role.MANAGER, Role.DELEGATE], org_unit__isnull=False)
                                    .values_list("user_id", "role", "org_unit_id").order_by("pk")):
            if role == Role.AGENT:
                if user_id != self.persona.get("agent.casa"):  # the persona's caseload is hand-made
                    self.agents.setdefault(unit, []).append(user_id)
            elif role == Role.MANAGER:
                self.managers.setdefault(unit, []).append(user_id)
            else:
                self.delegates.setdefault(unit, []).append(user_id)
        first_user = User.objects.order_by("pk").values_list("pk", flat=True).first() or 0
        self.any_user = next((u for us in self.agents.values() for u in us), first_user)
        self.any_delegate = next((u for us in self.delegates.values() for u in us), self.any_user)
        self.usernames: dict[int, str] = dict(User.objects.values_list("pk", "username"))
        # Where every case gets its whole history in the journal: the personas' establishments
        # (agent.casa's, manager.casa's and those of delegate.casa's delegation).
        casa = {self.persona.get(u) for u in ("agent.casa", "manager.casa", "delegate.casa")} - {None}
        units = set(Assignment.objects.active().filter(user_id__in=casa, org_unit__isnull=False)
                    .values_list("org_unit_id", flat=True))
        self.full_units: set[int] = {e.pk for e in self.est.values() if e.pk in units or e.delegation in units}
        self.history_since = self.now - timedelta(days=FULL_HISTORY_DAYS) if FULL_HISTORY_DAYS else None
        # Who holds cases in each province: establishments doing casework that have agents,
        # weighted by their number of agents.
        self.holders: dict[int, tuple[list[int], list[float]]] = {}
        self.by_type_province: dict[tuple[str, int], list[int]] = {}
        self.by_type_region: dict[tuple[str, int], list[int]] = {}
        self.residential_by_region: dict[int, list[int]] = {}
        self.internal_by_province: dict[int, list[int]] = {}
        self.partner_est_by_province: dict[int, list[int]] = {}
        self.provinces_by_region: dict[int, list[int]] = {}
        for e in self.est.values():
            if e.type in CASEWORK_TYPES and self.agents.get(e.pk):
                ids, ws = self.holders.setdefault(e.province, ([], []))
                ids.append(e.pk)
                ws.append(len(self.agents[e.pk]) + (1.0 if e.type == "cas" else 0.0))
            self.by_type_province.setdefault((e.type, e.province), []).append(e.pk)
            self.by_type_region.setdefault((e.type, e.region), []).append(e.pk)
            if e.type.startswith("eps_") and e.type != "eps_student":
                self.residential_by_region.setdefault(e.region, []).append(e.pk)
            if e.partner is None:
                self.internal_by_province.setdefault(e.province, []).append(e.pk)
            else:
                self.partner_est_by_province.setdefault(e.province, []).append(e.pk)
            provinces = self.provinces_by_region.setdefault(e.region, [])
            if e.province not in provinces:
                provinces.append(e.province)
        self.holder_pick = {prov: W(list(zip(ids, ws, strict=True))) for prov, (ids, ws) in self.holders.items()}
        self.partners_by_province: dict[int, list[int]] = {}
        for pk, prov in PartnerAssociation.objects.values_list("pk", "province_id").order_by("pk"):
            if prov is not None:
                self.partners_by_province.setdefault(prov, []).append(pk)
        self.occupancy: dict[int, int] = {}
        for est_id in Placement.objects.filter(state=Placement.State.ACTIVE).values_list("establishment_id", flat=True):
            self.occupancy[est_id] = self.occupancy.get(est_id, 0) + 1

    # ---- time --------------------------------------------------------------------------------

    def at(self, d: date, start: int = 8, end: int = 16) -> datetime:
        """A working-hour moment of a day (UTC; Morocco is UTC+1). May be in the future."""
        r = self.rng.random
        return datetime(d.year, d.month, d.day, start + int(r() * (end - start)), 5 * int(r() * 12), tzinfo=UTC)

    def past(self, t: datetime) -> datetime:
        return t if t < self.now - FIVE_MIN else self.now - timedelta(minutes=5 + int(self.rng.random() * 85))

    @staticmethod
    def day(t: datetime) -> date:
        return (t + HOUR).date()  # the local (Casablanca) day, close enough for demo dates

    def opening(self) -> datetime:
        """A moment in the window, denser towards now (linear ramp), on a working day and hour."""
        u = self.rng.random()
        x = (-1 + math.sqrt(1 + 2 * RAMP * u * (1 + RAMP / 2))) / RAMP  # inverse CDF of a density ∝ 1 + RAMP·x
        d = self.today - timedelta(days=int((1 - x) * WINDOW_DAYS))
        if d.weekday() == 6:
            d -= DAY
        return self.past(self.at(d))

    # ---- people and places ----------------------------------------------------------------------

    def agent_of(self, est_id: int) -> int | None:
        staff = self.agents.get(est_id) or self.managers.get(est_id)
        return staff[int(self.rng.random() * len(staff))] if staff else None

    def answerer(self, est_id: int) -> int | None:
        staff = (self.managers.get(est_id) or []) + (self.agents.get(est_id) or [])
        return self.rng.choice(staff) if staff else None

    def delegate_of(self, est_id: int) -> int:
        ds = self.delegates.get(self.est[est_id].delegation)
        return self.rng.choice(ds) if ds else self.any_delegate

    def supervisor_of(self, est_id: int) -> int:
        return self.rng.choice(self.managers[est_id]) if self.managers.get(est_id) else self.delegate_of(est_id)

    def holder_for(self, p: PersonRow) -> int:
        """The establishment holding the person's case: their own when it does casework (most
        often), else one that does in their province, rarely a neighbouring province's."""
        rng = self.rng
        home = self.est.get(p.est)
        if home is None:
            return p.est
        has_staff = bool(self.agents.get(home.pk))
        if has_staff and rng.random() < (0.8 if home.type in CASEWORK_TYPES else 0.3):
            return home.pk  # education and training centres follow some of their own beneficiaries too
        province = home.province
        if rng.random() < 0.03:
            province = rng.choice(self.provinces_by_region.get(home.region) or [province])
        pick = self.holder_pick.get(province) or self.holder_pick.get(home.province)
        return pick(rng) if pick is not None else home.pk

    def groups_for(self, p: PersonRow) -> list[str]:
        r, age = self.rng.random, p.age
        g: list[str] = []
        if age < 18:
            g.append(TargetGroup.CHILD)
            if age >= 15 and r() < 0.3:
                g.append(TargetGroup.YOUTH)
        elif age < 25 and r() < 0.6:
            g.append(TargetGroup.YOUTH)
        if age >= 60:
            g.append(TargetGroup.ELDERLY)
        if p.sex == "F" and age >= 18 and r() < (0.8 if age < 60 else 0.3):
            g.append(TargetGroup.WOMAN)
        if p.disability:
            g.append(TargetGroup.DISABILITY)
        if r() < (0.25 if age >= 60 else 0.12 if age >= 18 else 0.04):
            g.append(TargetGroup.NO_SUPPORT)
        if age >= 16 and r() < (0.07 if p.sex == "M" else 0.03):
            g.append(TargetGroup.HOMELESS)
        if r() < (0.16 if p.sex == "F" and age >= 18 else 0.08 if age < 18 else 0.03):
            g.append(TargetGroup.VIOLENCE)
        if not g:
            g.append(TargetGroup.NO_SUPPORT)
        return g

    def needs_for(self, groups: list[str]) -> list[str]:
        key = tuple(groups)
        pick = self.needs_cache.get(key)
        if pick is None:
            w = dict(NEED_BASE)
            for g in groups:
                for n, x in NEED_BY_GROUP.get(g, {}).items():
                    w[n] = w.get(n, 0) + x
            pick = self.needs_cache[key] = W(list(w.items()))
        out = [pick(self.rng)]
        for share in (0.45, 0.15):
            if self.rng.random() < share:
                n = pick(self.rng)
                if n not in out:
                    out.append(n)
        return out

    def answers_for(self, p: PersonRow, groups: list[str], sev: float) -> dict[str, str]:
        """Answers to the assessment questions: the more severe the situation (``sev`` in 0..1),
        the more the worse answers weigh; the person's groups shape each question."""
        rng = self.rng

        def pick(q: str, base: Sequence[float], push: float = SEVERITY_PUSH) -> str:
            weights = [b * math.exp(push * sev * i) for i, b in enumerate(base)]
            return QUESTION_OPTIONS[q][bisect(list(accumulate(weights)), rng.random() * sum(weights))]

        gs = set(groups)
        elderly, child = TargetGroup.ELDERLY in gs, TargetGroup.CHILD in gs
        homeless = TargetGroup.HOMELESS in gs
        lonely = TargetGroup.NO_SUPPORT in gs or homeless
        return {
            "family": pick("family", [6, 2.5 if TargetGroup.WOMAN in gs else 0.4, 1.2, 2.5 if elderly else 1,
                                      2 if lonely else 0.3]),
            "resources": pick("resources", [3, 5, 1.2]),
            "housing": pick("housing", [0.2, 1, 2.5, 3] if homeless else [6, 3, 0.4, 0.03]),
            "health": pick("health", [3, 5, 1.5, 0.06] if elderly else [7, 1.5, 0.4, 0.04]),
            "disability": "none" if not p.disability else "severe" if rng.random() < 0.35 else "moderate",
            "schooling": "not_applicable" if not child or p.age < 6 else pick("schooling", [0, 5, 2, 1.5, 0.3]),
            "documents": pick("documents", [6, 0.2, 0.6] if child else [6, 1.5, 0.3]),
            "rsu": pick("rsu", [3, 1.5, 2.5], SEVERITY_PUSH / 2),
            "protection": pick("protection", [1, 2, 5, 0.4] if TargetGroup.VIOLENCE in gs
                               else [8, 1.5, 0.3, 0.04] if child else [12, 1, 0.2, 0.02]),
        }

    # ---- building blocks, shared by the random cases and the personas ------------------------------

    def new_case(self, batch: Batch, p: PersonRow, t0: datetime, holder: int, agent: int | None, *,
                 channel: str = "", urgency: str = "", groups: list[str] | None = None,
                 needs: list[str] | None = None) -> Bundle:
        rng, new = self.rng, self.rows.new
        groups = groups or self.groups_for(p)
        channel = channel or (Channel.OUTREACH if TargetGroup.HOMELESS in groups and rng.random() < 0.5
                              else PICK_CHANNEL(rng))
        urgency = urgency or PICK_URGENCY(rng)
        # Without consent only when life is in danger (vital interest).
        consent = urgency != Urgency.LIFE or rng.random() < 0.7
        needs = needs or self.needs_for(groups)
        lang = FR if self.trng.random() < FRENCH_SHARE else AR
        case = new(Case, id=self.rows.take_id(Case), person_id=p.pk, establishment_id=holder, agent_id=agent,
                   opened_at=t0, opened_by_id=agent, urgency=urgency, created_at=t0)
        b = Bundle(case=case, person=p, need_list=needs, group_list=groups, lang=lang)
        b.groups = [new(CaseGroup, case_id=case.id, group=g) for g in groups]
        s = self.session(b, t0, channel, urgency, needs, consent=consent, opening=True)
        if consent and p.pk not in self.has_listening:
            self.has_listening.add(p.pk)
            batch.consents.append(new(Consent, id=self.rows.take_id(Consent), person_id=p.pk,
                                      purpose=Consent.Purpose.LISTENING, given_on=self.day(t0), created_at=t0,
                                      method=Consent.Method.GUARDIAN if p.age < 18 else Consent.Method.ORAL,
                                      recorded_by_id=s.agent_id))
        return b

    def session(self, b: Bundle | None, t: datetime, channel: str, urgency: str, needs: list[str], *,
                consent: bool = True, opening: bool = False, person: int | None = None,
                est: int = 0) -> ListeningSession:
        rng = self.rng
        est_id = b.case.establishment_id if b is not None else est
        agent_id = (b.case.agent_id if b is not None else None) or self.agent_of(est_id) or self.any_user
        outcome = (ListeningSession.Outcome.CASE_OPENED if opening else
                   ListeningSession.Outcome.ADDED_TO_CASE if b is not None else ListeningSession.Outcome.INFORMATION)
        lang = b.lang if b is not None else FR if self.trng.random() < FRENCH_SHARE else AR
        account = ACCOUNTS.get(channel)
        s = self.rows.new(
            ListeningSession, id=self.rows.take_id(ListeningSession), establishment_id=est_id, agent_id=agent_id,
            person_id=b.person.pk if b is not None else person, case_id=b.case.id if b is not None else None,
            channel=channel, held_at=t, urgency=urgency, consent_given=consent, outcome=outcome, created_at=t,
            reported_by=_say(self.trng, lang, REPORTERS[channel]) if channel in REPORTERS else "",
            place=_say(self.trng, lang, PLACE) if channel == Channel.WALK_IN else "",
            account=_say(self.trng, lang, account) if account and rng.random() < 0.7 else "",
        )
        if b is not None:
            b.sessions.append(s)
            b.needs.extend(self.rows.new(SessionNeed, session_id=s.id, need=n) for n in needs)
        return s

    def assess(self, b: Bundle, t: datetime, *, level: str = "", sev: float | None = None) -> Assessment:
        """Answers drawn for the person, scored with the active scheme (``level`` asks for a given
        outcome: answers are drawn again until the score gives it)."""
        rng = self.rng
        answers: dict[str, str] = {}
        for _ in range(400):
            if sev is not None:
                s = sev
            elif level:
                s = min(1.0, max(0.0, LEVEL_SEVERITY[level] + rng.uniform(-0.15, 0.15)))
            else:
                s = min(1.0, rng.betavariate(1.2, 5.3) + (0.08 if b.case.urgency != Urgency.NORMAL else 0.0))
            answers = self.answers_for(b.person, b.group_list, s)
            if level == Level.EXTREME and rng.random() < 0.3:
                answers["protection"] = "immediate_danger"
            result = score(answers, self.scheme)
            if not level or result.level == level:
                break
        final, reason = result.level, ""
        if final in (Level.MEDIUM, Level.HIGH) and not level and rng.random() < 0.03:
            final = Level.HIGH if final == Level.MEDIUM else Level.MEDIUM
            reason = _say(self.trng, b.lang, OVERRIDE_REASONS)
        a = self.rows.new(Assessment, case_id=b.case.id, scheme_id=self.scheme.pk,
                          assessed_by_id=b.case.agent_id or self.any_user, assessed_on=self.day(t), answers=answers,
                          score=result.score, computed_level=result.level, level=final, override_reason=reason,
                          created_at=t)
        b.assessments.append(a)
        b.case.level, b.case.score = final, result.score
        return a

    def goal(self, b: Bundle, t: datetime, need: str) -> Goal:
        g = self.rows.new(Goal, id=self.rows.take_id(Goal), case_id=b.case.id,
                          text=_say(self.trng, b.lang, NEED_GOALS[need]),
                          created_by_id=b.case.agent_id or self.any_user, created_at=t)
        b.goals.append(g)
        return g

    def task(self, b: Bundle, kind: str, title: str, due: date, *, goal: Goal | None = None,
             done: datetime | None = None) -> Task:
        who = b.case.agent_id
        created = datetime(due.year, due.month, due.day, 9, tzinfo=UTC) - timedelta(days=10)
        # Added with the plan at the earliest, never after it was done.
        created = min(max(created, b.goals[0].created_at if b.goals else b.case.opened_at), self.now)
        if done is not None:
            created = min(created, done)
        note = _say(self.trng, b.lang, FOLLOW_UP_NOTES) if done is not None and kind in FOLLOW_KINDS else ""
        t = self.rows.new(Task, id=self.rows.take_id(Task), case_id=b.case.id, establishment_id=b.case.establishment_id,
                          kind=kind, title=title, assignee_id=who, due_on=due,
                          goal_id=goal.id if goal is not None else None, created_at=created, done_at=done,
                          done_by_id=who if done is not None else None, note=note)
        b.tasks.append(t)
        return t

    def schedule(self, b: Bundle, kind: str, title: str, due: date, end: datetime | None, *,
                 goal: Goal | None = None) -> bool:
        """A task as it stands now: done around its date when that has passed (mostly), open
        and overdue (sometimes), open when upcoming; cancelled when the case closed first.
        Returns whether it was done: a plan is not scheduled further after an undone task."""
        rng = self.rng
        if end is not None and due > self.day(end):
            return False
        if due > self.today:
            self.task(b, kind, title, due, goal=goal)
            return False
        when_day = due + timedelta(days=TASK_LAG[int(rng.random() * len(TASK_LAG))])
        skipped = rng.random() < (0.08 if (self.today - due).days <= 21 else 0.02)
        if when_day <= self.today and not skipped:
            when = self.past(self.at(when_day))
            if end is None or when <= end:
                self.task(b, kind, title, due, goal=goal, done=when)
                return True
        t = self.task(b, kind, title, due, goal=goal)
        if end is not None:
            t.cancelled = True
        elif (self.today - due).days >= 2:
            t.reminded_at = self.at(due + DAY, 6, 7)  # the periodic check already reminded the agent
        return False

    def track_open(self, b: Bundle, t: datetime) -> ExtremeTrack:
        track = self.rows.new(ExtremeTrack, case_id=b.case.id, opened_at=t, created_at=t,
                              first_action_due=t + timedelta(hours=settings.EXTREME_FIRST_ACTION_HOURS),
                              plan_due=t + timedelta(hours=settings.EXTREME_PLAN_HOURS))
        b.track = track
        b.case.extreme = True
        return track

    def approval(self, b: Bundle, kind: str, at: datetime, *, decided: datetime | None, decision: str = "",
                 payload: dict[str, Any] | None = None, note: str = "") -> Approval:
        est = b.case.establishment_id
        if not note and kind == Approval.Kind.PLAN:
            note = _say(self.trng, b.lang, PLAN_NOTES)
        a = self.rows.new(Approval, id=self.rows.take_id(Approval), case_id=b.case.id, establishment_id=est, kind=kind,
                          requested_by_id=b.case.agent_id or self.any_user, requested_at=at, created_at=at,
                          payload=payload or {}, request_note=note)
        if decided is not None:
            a.decision = decision or Approval.Decision.APPROVED
            a.decided_at = decided
            if a.decision != Approval.Decision.WITHDRAWN:
                a.decided_by_id = self.delegate_of(est)
                if a.decided_by_id == a.requested_by_id:
                    a.decided_by_id = self.any_delegate
            if a.decision == Approval.Decision.REFUSED:
                a.comment = _say(self.trng, b.lang, REFUSAL_COMMENTS)
        b.approvals.append(a)
        return a

    def shelter_for(self, b: Bundle) -> int | None:
        """A residential establishment for the person's groups with a free place: in the
        province, else the region."""
        kinds = [t for g, t in SHELTER_BY_GROUP if g in b.group_list] or ["eps_homeless"]
        e = self.est[b.case.establishment_id]
        pools = [self.by_type_province.get((k, e.province), []) for k in kinds]
        pools += [self.by_type_region.get((k, e.region), []) for k in kinds]
        pools.append(self.residential_by_region.get(e.region, []))
        for pool in pools:
            free = [x for x in pool if self.est[x].capacity is None
                    or self.occupancy.get(x, 0) < (self.est[x].capacity or 0)]
            if free:
                return self.rng.choice(free)
        return None

    def placement(self, b: Bundle, at: datetime, end: datetime | None, *, pending: bool = False) -> Placement | None:
        rng = self.rng
        dest = self.shelter_for(b)
        if dest is None:
            return None
        decided: datetime | None = at + timedelta(hours=rng.uniform(3, 60))
        if pending:
            decided = None
        elif decided is not None and decided >= self.now:
            quiet = self.est[b.case.establishment_id].delegation in self.quiet_delegations
            decided = at + (self.now - at) / 2 if quiet else None
        if end is not None and (decided is None or decided > end):
            return None
        appr = self.approval(b, Approval.Kind.PLACEMENT, at, decided=decided, payload={"establishment": dest},
                             note=_say(self.trng, b.lang, PLACEMENT_NOTES))
        pl = self.rows.new(Placement, case_id=b.case.id, establishment_id=dest, approval_id=appr.id, created_at=at,
                           kind="temporary" if rng.random() < 0.8 else "permanent")
        if decided is None:
            pl.state = Placement.State.REQUESTED
        else:
            pl.starts_on = self.day(decided)
            stop = end
            if stop is None and rng.random() < 0.3:
                maybe = decided + timedelta(days=rng.uniform(20, 200))
                stop = maybe if maybe < self.now else None
            if stop is not None:
                pl.state, pl.ends_on = Placement.State.ENDED, self.day(stop)
                pl.end_reason = _say(self.trng, b.lang, PLACEMENT_ENDS)
            else:
                pl.state = Placement.State.ACTIVE
                self.occupancy[dest] = self.occupancy.get(dest, 0) + 1
        b.placements.append(pl)
        return pl

    def sharing_consent(self, batch: Batch, b: Bundle, t: datetime) -> Consent:
        c = batch.sharing.get(b.person.pk)
        if c is None:
            c = self.rows.new(Consent, id=self.rows.take_id(Consent), person_id=b.person.pk,
                              purpose=Consent.Purpose.SHARING, given_on=self.day(t), created_at=t,
                              method=Consent.Method.GUARDIAN if b.person.age < 18 else
                              (Consent.Method.WRITTEN if self.rng.random() < 0.6 else Consent.Method.ORAL),
                              recorded_by_id=b.case.agent_id or self.any_user)
            batch.sharing[b.person.pk] = c
            batch.consents.append(c)
        return c

    def referral(self, batch: Batch, b: Bundle, t: datetime, end: datetime | None, *, target: str = "",
                 state: str = "", to_est: int | None = None) -> Referral | None:
        rng = self.rng
        case = b.case
        e = self.est[case.establishment_id]
        need = b.need_list[int(rng.random() * len(b.need_list))]
        sector = NEED_SECTOR[need]
        target = target or PICK_TARGET(rng)
        r = self.rows.new(Referral, id=self.rows.take_id(Referral), case_id=case.id, person_id=case.person_id,
                          from_establishment_id=case.establishment_id, target=target, need=need,
                          sector=sector if target == Target.EXTERNAL else "", sent_at=t, created_at=t,
                          sent_by_id=case.agent_id or self.any_user,
                          reason=_say(self.trng, b.lang, REFERRAL_REASONS[need]),
                          answer_due=self.day(t) + timedelta(days=settings.REFERRAL_ANSWER_DAYS))
        if target == Target.INTERNAL:
            if to_est is None:
                wanted = INTERNAL_TYPES_BY_NEED.get(need, ("cas", "ups", "csp", "ceo"))
                pool = [x for k in wanted for x in self.by_type_province.get((k, e.province), [])
                        if self.est[x].partner is None and x != case.establishment_id]
                pool = pool or [x for x in self.internal_by_province.get(e.province, []) if x != case.establishment_id]
                if not pool:
                    return None
                to_est = rng.choice(pool)
            r.to_establishment_id = to_est
        elif target == Target.PARTNER:
            if to_est is None and rng.random() < 0.7:
                pool = [x for x in self.partner_est_by_province.get(e.province, []) if x != case.establishment_id]
                to_est = rng.choice(pool) if pool else None
            if to_est is not None:
                r.to_establishment_id, r.to_partner_id = to_est, self.est[to_est].partner
            else:
                partners = self.partners_by_province.get(e.province)
                if not partners:
                    return None
                r.to_partner_id = rng.choice(partners)
        else:
            r.external_service = _say(self.trng, b.lang, EXTERNAL_SERVICE[sector])
        if target != Target.INTERNAL:
            r.consent_id = self.sharing_consent(batch, b, t - timedelta(minutes=20)).id
        limit = end or self.now
        age_days = (limit - t).total_seconds() / 86400
        if not state:
            state = (PICK_REFERRAL_CLOSED if end is not None else
                     PICK_REFERRAL_RECENT if age_days < settings.REFERRAL_ANSWER_DAYS else PICK_REFERRAL_OLD)(rng)
        answered = t + timedelta(hours=rng.uniform(3, max(4.0, min(24 * 8, age_days * 24 * 0.8))))
        answered = min(answered, limit - timedelta(minutes=30))
        answerer = (self.answerer(r.to_establishment_id) if r.to_establishment_id else None) or r.sent_by_id
        r.status = state
        if state in (Referral.State.ACCEPTED, Referral.State.COMPLETED, Referral.State.DECLINED):
            r.answered_at, r.answered_by_id = answered, answerer
        if state == Referral.State.DECLINED:
            r.decline_reason = _say(self.trng, b.lang, DECLINE_REASONS)
        elif state == Referral.State.COMPLETED:
            r.completed_at = min(answered + timedelta(days=rng.uniform(2, 40)), limit - timedelta(minutes=10))
            r.outcome = (PICK_OUTCOME if r.to_establishment_id else PICK_OUTCOME_OUTSIDE)(rng)
            if self.trng.random() < 0.5:
                r.outcome_note = _say(self.trng, b.lang, OUTCOME_NOTES[r.outcome])
        elif state == Referral.State.REVOKED:
            r.revoked_at, r.revoked_by_id = answered, self.supervisor_of(case.establishment_id)
            r.revoke_reason = _say(self.trng, b.lang, REVOKE_REASONS)
        elif state == Referral.State.SENT and r.answer_due < self.today - DAY:
            r.reminded_at = self.at(r.answer_due + DAY, 6, 7)
        b.referrals.append(r)
        return r

    def close(self, b: Bundle, t: datetime) -> None:
        rng = self.rng
        case = b.case
        reason, outcomes = PICK_CLOSURE(rng)
        if reason == ClosureReason.DECEASED and b.person.age < 50:
            reason, outcomes = ClosureReason.MOVED, W([(ClosureOutcome.UNCHANGED, 1)])
        if reason == ClosureReason.REFERRED_OUT and not b.referrals:
            reason, outcomes = ClosureReason.GOALS_MET, W(CLOSURES[0][2])
        outcome = outcomes(rng)
        if any(p.state != Placement.State.REQUESTED for p in b.placements) and rng.random() < 0.5:
            outcome = ClosureOutcome.PLACED
        case.closed_at = t
        case.closure_reason, case.closure_outcome = reason, outcome
        if rng.random() < 0.4:
            case.closure_note = _say(self.trng, b.lang, CLOSURE_NOTES[reason])
        if case.extreme and b.track is not None:
            ask = max(t - timedelta(hours=rng.uniform(4, 72)), case.opened_at + HOUR)
            self.approval(b, Approval.Kind.CLOSURE, min(ask, t - FIVE_MIN), decided=t,
                          payload={"reason": reason, "outcome": outcome})
            b.track.closed_at = t
        case.next_review_on = None
        for task in b.tasks:
            if task.done_at is None:
                task.cancelled = True

    # ---- one random case ------------------------------------------------------------------------

    def random_case(self, batch: Batch, p: PersonRow, t0: datetime, *, close_by: datetime | None = None) -> Bundle:
        rng, now = self.rng, self.now
        holder = self.holder_for(p)
        # How long it lasts: a quick orientation, a few months, or a long accompaniment.
        r = rng.random()
        quick = r < 0.15
        days = rng.uniform(3, 40) if quick else rng.uniform(40, 240) if r < 0.35 else rng.uniform(240, 1400)
        end: datetime | None = t0 + timedelta(days=days)
        if close_by is not None and end is not None and end > close_by:
            end = max(close_by, t0 + 2 * DAY)
        if end is not None:
            end = self.at(self.day(end))
            if end >= now - HOUR:
                end = None
        horizon = end or now
        b = self.new_case(batch, p, t0, holder, self.agent_of(holder))
        case = b.case
        if rng.random() < 0.006:
            self.transfer(b, t0, end)
        # Sometimes the person came back while the case was open.
        if rng.random() < 0.25:
            for _ in range(1 if rng.random() < 0.7 else 2):
                t = self.at(self.day(t0 + timedelta(days=rng.uniform(2, max(3.0, (horizon - t0).days)))))
                if t < horizon - HOUR:
                    self.session(b, t, PICK_RETURN_CHANNEL(rng), Urgency.NORMAL, [rng.choice(b.need_list)])
        t_a = self.at(self.day(t0 + timedelta(days=0.2 + min(25.0, rng.expovariate(1 / 4)))))
        t_a = max(t_a, t0 + HOUR)
        if t_a >= horizon - HOUR or rng.random() >= (0.5 if quick else 0.92):
            if rng.random() < 0.25:  # oriented without an assessment
                t_r = t0 + timedelta(hours=rng.uniform(1, 96))
                if t_r < horizon - HOUR:
                    self.referral(batch, b, t_r, end)
            if end is not None:
                self.close(b, end)
            case.status = status_of(b)
            return b
        a = self.assess(b, t_a)
        if a.level == Level.EXTREME:
            self.extreme_path(batch, b, t_a, end)
        else:
            plan_p = PLAN_SHARE.get(a.level, 0.5) * (0.3 if quick else 1)
            if rng.random() < plan_p:
                t_p = self.at(self.day(t_a + timedelta(days=rng.uniform(0.5, 10))))
                if t_a < t_p < horizon - HOUR:
                    self.plan(b, t_p, end)
                    if a.level == Level.HIGH and rng.random() < 0.04:
                        t_pl = t_p + timedelta(days=rng.uniform(2, 20))
                        if t_pl < horizon - HOUR:
                            self.placement(b, t_pl, end)
            if b.goals and rng.random() < 0.25:  # reassessed at a later point
                t2 = self.at(self.day(t_a + timedelta(days=rng.uniform(80, 200))))
                if t2 < horizon - HOUR:
                    keep = (case.level, case.score)
                    if self.assess(b, t2, sev=rng.uniform(0.0, 0.3)).level == Level.EXTREME:
                        b.assessments.pop()
                        case.level, case.score = keep
        if rng.random() < (0.45 if quick else 0.33):
            t_r = t_a + timedelta(days=rng.uniform(0, 20))
            for k in range(2 if rng.random() < 0.1 else 1):
                t_k = self.at(self.day(t_r + timedelta(days=k * rng.uniform(5, 30))))
                if t_a < t_k < horizon - HOUR:
                    self.referral(batch, b, t_k, end)
        if end is not None:
            self.close(b, end)
        case.status = status_of(b)
        return b

    def transfer(self, b: Bundle, t0: datetime, end: datetime | None) -> None:
        """The case moves (or is asked to move) to another establishment of the province."""
        rng = self.rng
        origin = b.case.establishment_id
        pool = [x for x in self.holders.get(self.est[origin].province, ([], []))[0] if x != origin]
        if not pool:
            return
        state = PICK_TRANSFER(rng)
        if state == Transfer.State.PENDING:
            if end is not None:
                return
            t = self.now - timedelta(days=rng.uniform(0.5, 6))
        else:
            t = t0 + timedelta(days=rng.uniform(1, 10))
        horizon = end or self.now
        if not t0 < t < horizon - 2 * HOUR:
            return
        tr = self.rows.new(Transfer, case_id=b.case.id, from_establishment_id=origin, status=state,
                           to_establishment_id=rng.choice(pool), requested_by_id=b.case.agent_id or self.any_user,
                           created_at=t, reason=_say(self.trng, b.lang, TRANSFER_REASONS))
        if state in (Transfer.State.ACCEPTED, Transfer.State.DECLINED):
            tr.decided_at = min(t + timedelta(hours=rng.uniform(2, 72)), t + (horizon - t) / 2)
            tr.decided_by_id = self.answerer(tr.to_establishment_id)
            if state == Transfer.State.DECLINED:
                tr.decline_reason = _say(self.trng, b.lang, TRANSFER_DECLINES)
            else:
                b.case.establishment_id = tr.to_establishment_id
                b.case.agent_id = tr.decided_by_id or self.agent_of(tr.to_establishment_id)
        b.transfers.append(tr)

    def plan(self, b: Bundle, t_p: datetime, end: datetime | None, *, follow_from: datetime | None = None,
             follow_ups: bool = True) -> None:
        """Goals and their actions, follow-ups at intervals, a review every CASE_REVIEW_DAYS."""
        rng = self.rng
        needs = b.need_list
        goals = [self.goal(b, t_p, n) for n in needs[: (1, 1, 2, 3)[int(rng.random() * 4)]]]
        for g, need in zip(goals, needs, strict=False):
            for _ in range(1 if rng.random() < 0.67 else 2):
                due = self.day(t_p) + timedelta(days=3 + int(rng.random() * 43))
                self.schedule(b, Task.Kind.ACTION, _say(self.trng, b.lang, NEED_ACTIONS[need]), due, end, goal=g)
        if follow_ups:
            due = self.day(follow_from or t_p) + timedelta(days=7 + int(rng.random() * 24))
            while True:
                kind = PICK_FOLLOW_UP(rng)
                if not self.schedule(b, kind, _say(self.trng, b.lang, FOLLOW_UP_TITLES[kind]), due, end):
                    break
                due += timedelta(days=25 + int(rng.random() * 36))
        review_days = settings.CASE_REVIEW_DAYS
        r_day = self.day(t_p) + timedelta(days=review_days)
        title = FOLLOW_UP_TITLES[Task.Kind.REVIEW]
        while end is None or r_day <= self.day(end):
            b.case.next_review_on = r_day
            done_day = r_day + timedelta(days=(0, 0, 1, 3)[int(rng.random() * 4)])
            if r_day > self.today or done_day > self.today or rng.random() < 0.06:
                t = self.task(b, Task.Kind.REVIEW, _say(self.trng, b.lang, title), r_day)
                t.cancelled = end is not None
                break
            done_at = self.past(self.at(done_day))
            if end is not None and done_at > end:
                break
            nxt = r_day + timedelta(days=review_days)
            b.reviews.append(self.rows.new(
                Review, case_id=b.case.id, reviewed_by_id=b.case.agent_id or self.any_user, reviewed_on=done_day,
                next_review_on=nxt, created_at=done_at,
                note=_say(self.trng, b.lang, REVIEW_NOTES)))
            self.task(b, Task.Kind.REVIEW, _say(self.trng, b.lang, title), r_day, done=done_at)
            b.case.next_review_on = nxt
            r_day = nxt

    def extreme_path(self, batch: Batch, b: Bundle, t_a: datetime, end: datetime | None) -> None:
        """Individual treatment: first action (mostly on time), case conference, plan approved
        by the delegate (sometimes late, refused once, or still pending), maybe a placement."""
        rng, now = self.rng, self.now
        horizon = end or now
        track = self.track_open(b, t_a)
        fa = t_a + timedelta(hours=rng.uniform(1, 22) if rng.random() < 0.85 else rng.uniform(25, 70))
        if fa < horizon:
            track.first_action_at = fa
            track.first_action_note = _say(self.trng, b.lang, FIRST_ACTIONS)
        conf = t_a + timedelta(hours=rng.uniform(8, 60))
        if rng.random() < 0.7 and conf < horizon:
            track.conference_at, track.conference_note = conf, _say(self.trng, b.lang, CONFERENCE_NOTES)
        t_g = t_a + timedelta(hours=rng.uniform(6, 50))
        if t_g < horizon - HOUR:
            approved: datetime | None = None
            roll = rng.random()
            submitted: datetime | None = t_g + timedelta(hours=rng.uniform(1, 16))
            if roll < 0.1:
                submitted = t_a + timedelta(hours=rng.uniform(75, 160))  # late
            elif roll < 0.15 and (now - t_a).days < 30:
                submitted = None  # not submitted yet: the plan deadline is missed
            if submitted is not None and submitted < horizon - HOUR:
                track.plan_submitted_at = submitted
                decided = submitted + timedelta(hours=rng.uniform(2, 36))
                if rng.random() < 0.05 and decided < horizon - 3 * DAY:
                    self.approval(b, Approval.Kind.PLAN, submitted, decided=decided,
                                  decision=Approval.Decision.REFUSED)
                    submitted = decided + timedelta(hours=rng.uniform(12, 48))
                    decided = submitted + timedelta(hours=rng.uniform(2, 24))
                if decided < horizon:
                    approved = decided
                elif end is None and self.est[b.case.establishment_id].delegation in self.quiet_delegations:
                    approved = submitted + (now - submitted) / 2
                if approved is not None:
                    self.approval(b, Approval.Kind.PLAN, submitted, decided=approved)
                    track.plan_approved_at, track.plan_approved_by_id = approved, b.approvals[-1].decided_by_id
                elif end is not None:
                    self.approval(b, Approval.Kind.PLAN, submitted, decided=end - HOUR,
                                  decision=Approval.Decision.WITHDRAWN)
                else:
                    self.approval(b, Approval.Kind.PLAN, submitted, decided=None)
            self.plan(b, t_g, end, follow_from=approved, follow_ups=approved is not None)
            if approved is not None and rng.random() < 0.3:
                t_pl = approved + timedelta(hours=rng.uniform(2, 96))
                if t_pl < horizon - HOUR:
                    self.placement(b, t_pl, end)
        # What the periodic check has already escalated.
        if track.first_action_due < now and (track.first_action_at is None
                                             or track.first_action_at > track.first_action_due):
            track.first_action_escalated_at = track.first_action_due + FIVE_MIN
        if track.plan_due < now and (track.plan_approved_at is None or track.plan_approved_at > track.plan_due):
            track.plan_escalated_at = track.plan_due + FIVE_MIN
        if rng.random() < 0.35:
            t_r = t_a + timedelta(hours=rng.uniform(12, 120))
            if t_r < horizon - HOUR:
                self.referral(batch, b, t_r, end)

    # ---- the journal: what the services would have written -----------------------------------------

    def full_history(self, opened: datetime, *units: int) -> bool:
        return self.history_since is None or opened >= self.history_since or any(u in self.full_units for u in units)

    def chronicle(self, batch: Batch) -> None:
        """Journal entries for the batch's casework, with the actions, records and ``changes``
        the services write (``cases.services``, ``referrals.services``), at the time each thing
        happened, by whoever did it, in the case's establishment, each case's in order. Status
        changes are replayed with the precedence of ``status_from``. Older cases outside the
        personas' establishments get only their opening (``FULL_HISTORY_DAYS``)."""
        out = batch.journal
        for b in batch.bundles:
            self.history(b, out)
        if batch.loose_sessions:
            needs: dict[int, list[str]] = {}
            for n in batch.loose_needs:
                needs.setdefault(n.session_id, []).append(n.need)
            for s in batch.loose_sessions:
                if self.full_history(s.held_at, s.establishment_id):
                    out.append(self.entry(s.held_at, "listening.record", s.agent_id, "cases.listeningsession", s.id,
                                          f"LS-{s.id}", s.establishment_id, {
                                              "channel": s.channel, "needs": needs.get(s.id, []), "outcome": s.outcome,
                                              "person": record_number(s.person_id) if s.person_id else ""}))

    def entry(self, at: datetime, action: str, actor: int | None, object_type: str, object_id: int, label: str,
              unit: int, changes: dict[str, Any]) -> tuple[Any, ...]:
        """A journal row, in the order of ``JOURNAL_FIELDS``."""
        return (at, JournalEntry.Kind.CHANGE, actor, self.usernames.get(actor, "system") if actor else "system",
                action, object_type, str(object_id), label, unit, changes, "cli")

    def history(self, b: Bundle, out: list[tuple[Any, ...]]) -> None:
        case = b.case
        number = case_number(case.id)
        s0 = b.sessions[0]
        opening: dict[str, Any] = {"channel": s0.channel, "urgency": s0.urgency, "groups": list(b.group_list)}
        if not s0.consent_given:
            opening["legal_basis"] = "vital_interest"
        if not self.full_history(case.opened_at, s0.establishment_id, case.establishment_id):
            out.append(self.entry(case.opened_at, "case.open", case.opened_by_id, "cases.case", case.id, number,
                                  s0.establishment_id, opening))
            return
        est = self.est
        # (at, order, action, actor, changes, effect on the status, (type, id, label, units) or None: the case)
        ev: list[tuple[datetime, int, str, int | None, dict[str, Any], str, tuple[Any, ...] | None]] = []

        def add(at: datetime, action: str, actor: int | None, changes: dict[str, Any], effect: str = "",
                obj: tuple[Any, ...] | None = None) -> None:
            ev.append((at, len(ev), action, actor, changes, effect, obj))

        agent = case.agent_id
        add(case.opened_at, "case.open", case.opened_by_id, opening, "session:" + s0.channel)
        needs: dict[int, list[str]] = {}
        for n in b.needs:
            needs.setdefault(n.session_id, []).append(n.need)
        person = record_number(case.person_id)
        for s in b.sessions:
            add(s.held_at, "listening.record", s.agent_id,
                {"channel": s.channel, "needs": needs.get(s.id, []), "outcome": s.outcome, "person": person},
                "" if s is s0 else "session:" + s.channel,
                ("cases.listeningsession", s.id, f"LS-{s.id}", (s.establishment_id,)))
        for a in b.assessments:
            changes: dict[str, Any] = {"score": a.score, "computed_level": a.computed_level, "level": a.level}
            if a.override_reason:
                changes["override_reason"] = a.override_reason
            add(a.created_at, "case.assess", a.assessed_by_id, changes, "assess")
        track = b.track
        if track is not None:
            add(track.opened_at, "case.extreme_open", agent, {"first_action_due": track.first_action_due.isoformat(),
                                                              "plan_due": track.plan_due.isoformat()}, "extreme")
            if track.first_action_at is not None:
                add(track.first_action_at, "case.extreme_first_action", agent,
                    {"late": track.first_action_at > track.first_action_due})
            if track.conference_at is not None:
                add(track.conference_at, "case.extreme_conference", agent, {})
            if track.first_action_escalated_at is not None:
                add(track.first_action_escalated_at, "case.escalate", None, {"deadline": "first_action"})
            if track.plan_escalated_at is not None:
                add(track.plan_escalated_at, "case.escalate", None, {"deadline": "plan"})
        placed = {p.approval_id: p for p in b.placements}
        closure = {"reason": case.closure_reason, "outcome": case.closure_outcome}
        for ap in b.approvals:
            add(ap.requested_at, "approval.request", ap.requested_by_id, {"kind": ap.kind})
            pl = placed.get(ap.id)
            if pl is not None:
                add(ap.requested_at, "placement.request", ap.requested_by_id,
                    {"establishment": est[pl.establishment_id].code})
            if ap.decided_at is None:
                continue
            if ap.decision == Approval.Decision.WITHDRAWN:
                add(ap.decided_at, "approval.withdraw", ap.requested_by_id, {"kind": ap.kind})
                continue
            effect = ""
            if ap.decision == Approval.Decision.APPROVED:
                if ap.kind == Approval.Kind.CLOSURE:
                    add(ap.decided_at, "case.close", ap.decided_by_id, closure)
                    effect = "closed"
                elif ap.kind == Approval.Kind.PLAN:
                    effect = "approved"
                elif pl is not None and pl.state in (Placement.State.ACTIVE, Placement.State.ENDED):
                    effect = "placed"
            add(ap.decided_at, "approval.decide", ap.decided_by_id, {"kind": ap.kind, "decision": ap.decision}, effect)
        for pl in b.placements:
            if pl.state == Placement.State.ENDED and pl.ends_on is not None:
                t_end = datetime(pl.ends_on.year, pl.ends_on.month, pl.ends_on.day, 10, tzinfo=UTC)
                if case.closed_at is not None:
                    t_end = min(t_end, case.closed_at - FIVE_MIN)
                add(min(t_end, self.now - FIVE_MIN), "placement.end", agent, {"reason": pl.end_reason}, "unplaced")
        for g in b.goals:
            add(g.created_at, "plan.goal_add", g.created_by_id, {"goal": g.id}, "goal")
        first_review = next((t for t in b.tasks if t.kind == Task.Kind.REVIEW), None)
        for t in b.tasks:
            review = t.kind == Task.Kind.REVIEW
            if not review or t is first_review:  # later reviews are scheduled by the review itself
                add(t.created_at, "plan.task_add", agent,
                    {"task": t.id, "kind": t.kind, "due_on": t.due_on.isoformat()})
            if t.done_at is not None and not review:  # a review task is done by ``plan.review``
                add(t.done_at, "plan.task_done", t.done_by_id,
                    {"task": t.id, "kind": t.kind, "late": t.done_at.date() > t.due_on},
                    "followed" if t.kind in FOLLOW_KINDS else "")
        for rv in b.reviews:
            add(rv.created_at, "plan.review", rv.reviewed_by_id,
                {"next_review_on": rv.next_review_on.isoformat() if rv.next_review_on else None})
        for r in b.referrals:
            units: tuple[int, ...] = (r.from_establishment_id,)
            if r.to_establishment_id and r.to_establishment_id != r.from_establishment_id:
                units = (r.from_establishment_id, r.to_establishment_id)
            obj: tuple[Any, ...] = ("referrals.referral", r.id, f"REF-{r.id:07d}", units)
            to = est[r.to_establishment_id].code if r.to_establishment_id else r.to_partner_id or r.external_service
            add(r.sent_at, "referral.send", r.sent_by_id, {"case": case.id, "target": r.target, "to": to}, "sent", obj)
            if r.answered_at is not None:
                if r.status == Referral.State.DECLINED:
                    add(r.answered_at, "referral.decline", r.answered_by_id,
                        {"case": case.id, "reason": r.decline_reason}, "unsent", obj)
                else:
                    add(r.answered_at, "referral.accept", r.answered_by_id, {"case": case.id}, "accepted", obj)
            if r.completed_at is not None:
                add(r.completed_at, "referral.complete", r.answered_by_id, {"case": case.id, "outcome": r.outcome},
                    "", obj)
            if r.revoked_at is not None:
                add(r.revoked_at, "referral.revoke", r.revoked_by_id, {"case": case.id, "reason": r.revoke_reason},
                    "unsent", obj)
            if r.reminded_at is not None:
                add(r.reminded_at, "referral.remind", None, {}, "", (*obj[:3], (r.from_establishment_id,)))
        moved: tuple[datetime, int] | None = None
        for tr in b.transfers:
            add(tr.created_at, "transfer.request", tr.requested_by_id, {"to": est[tr.to_establishment_id].code})
            if tr.decided_at is not None and tr.status in (Transfer.State.ACCEPTED, Transfer.State.DECLINED):
                accepted = tr.status == Transfer.State.ACCEPTED
                add(tr.decided_at, "transfer.decide", tr.decided_by_id,
                    {"accepted": accepted, "from": tr.from_establishment_id, "to": tr.to_establishment_id})
                if accepted:
                    moved = (tr.decided_at, tr.from_establishment_id)
        if case.closed_at is not None and not any(ap.kind == Approval.Kind.CLOSURE for ap in b.approvals):
            add(case.closed_at, "case.close", agent, closure, "closed")

        # Replay in time order; the status changes where ``case_refresh`` would have seen it change.
        channels: list[str] = []
        assessed = extreme = approved = followed = closed = False
        goals = sent = accepted_n = placed_n = 0
        status = Status.RECEIVED
        for at, _n, action, actor, changes, effect, what in sorted(ev, key=itemgetter(0, 1)):
            unit = moved[1] if moved is not None and at < moved[0] else case.establishment_id
            if what is None:
                out.append(self.entry(at, action, actor, "cases.case", case.id, number, unit, changes))
            else:
                for u in what[3]:
                    out.append(self.entry(at, action, actor, what[0], what[1], what[2], u, changes))
            if not effect:
                continue
            if effect.startswith("session:"):
                channels.append(effect[8:])
            elif effect == "assess":
                assessed = True
            elif effect == "extreme":
                extreme = True
            elif effect == "goal":
                goals += 1
            elif effect == "approved":
                approved = True
            elif effect == "followed":
                followed = True
            elif effect == "sent":
                sent += 1
            elif effect == "unsent":
                sent -= 1
            elif effect == "accepted":
                sent, accepted_n = sent - 1, accepted_n + 1
            elif effect == "placed":
                placed_n += 1
            elif effect == "unplaced":
                placed_n -= 1
            elif effect == "closed":
                closed = True
            plan_ok = goals > 0 and (not extreme or approved)
            new = (Status.CLOSED if closed else Status.PLACED if placed_n > 0
                   else (Status.FOLLOW_UP if followed and plan_ok else Status.IN_CARE) if plan_ok or accepted_n > 0
                   else Status.REFERRED if sent > 0 else Status.ASSESSMENT if assessed or goals > 0
                   else Status.REPORTED if channels and all(c in REPORT_CHANNELS for c in channels)
                   else Status.RECEIVED)
            if new != status:
                out.append(self.entry(at, "case.status", None, "cases.case", case.id, number, unit,
                                      {"status": [status, new]}))
                status = new


# ---- writing ----------------------------------------------------------------------------------------


def write(rows: Rows, batch: Batch, counts: dict[str, int]) -> None:
    """All rows of a batch, table by table, in one transaction (ids were handed out before)."""
    bs = batch.bundles
    tables: list[tuple[str, type[Model], list[Any]]] = [
        ("pseudonymous_persons", Person, batch.new_persons),
        ("", NameKey, bulk_keys(batch.new_persons) if batch.new_persons else []),
        ("consents", Consent, batch.consents),
        ("cases", Case, [b.case for b in bs]),
        ("listening_sessions", ListeningSession, [s for b in bs for s in b.sessions] + batch.loose_sessions),
        ("session_needs", SessionNeed, [n for b in bs for n in b.needs] + batch.loose_needs),
        ("case_groups", CaseGroup, [g for b in bs for g in b.groups]),
        ("assessments", Assessment, [a for b in bs for a in b.assessments]),
        ("extreme_tracks", ExtremeTrack, [b.track for b in bs if b.track is not None]),
        ("goals", Goal, [g for b in bs for g in b.goals]),
        ("approvals", Approval, [a for b in bs for a in b.approvals]),
        ("placements", Placement, [p for b in bs for p in b.placements]),
        ("tasks", Task, [t for b in bs for t in b.tasks]),
        ("reviews", Review, [r for b in bs for r in b.reviews]),
        ("referrals", Referral, [r for b in bs for r in b.referrals]),
        ("transfers", Transfer, [t for b in bs for t in b.transfers]),
    ]
    with transaction.atomic():
        for key, model, objs in tables:
            n = rows.insert(model, objs)
            if key:
                counts[key] = counts.get(key, 0) + n
        n = rows.insert_values(JournalEntry, JOURNAL_FIELDS, batch.journal)
        counts["journal_entries"] = counts.get("journal_entries", 0) + n
        _update_registry(batch)


def _update_registry(batch: Batch) -> None:
    """Registration dates move back to the first contact (or into the past years for persons
    never seen in casework), disabilities found at assessment are recorded, and the listening
    consents given at registration take that date."""
    ops = connection.ops
    person, consent = ops.quote_name(Person._meta.db_table), ops.quote_name(Consent._meta.db_table)
    with connection.cursor() as cur:
        if batch.person_dates:
            cur.executemany(f"UPDATE {person} SET created_at = %s, disability = %s WHERE id = %s",
                            [(ops.adapt_datetimefield_value(t), d, pk) for pk, t, d in batch.person_dates])
        if batch.consent_dates:
            cur.executemany(
                f"UPDATE {consent} SET given_on = %s, created_at = %s WHERE person_id = %s AND purpose = %s",
                [(ops.adapt_datefield_value(Generator.day(t)), ops.adapt_datetimefield_value(t), pk,
                  Consent.Purpose.LISTENING) for pk, t in batch.consent_dates])


# ---- the whole generation ----------------------------------------------------------------------


def generate_casework(*, seed: int = 2026, now: datetime | None = None,
                      progress: Callable[[str], None] | None = None) -> dict[str, float]:
    """Write synthetic casework for the persons already in the registry. Returns row counts
    and ``casework_seconds``. Same seed and same ``now``: same rows."""
    say = progress or (lambda _m: None)
    started = time.monotonic()
    now = (now or timezone.now()).replace(microsecond=0)
    gen = Generator(seed, now)
    counts: dict[str, int] = {}
    if not gen.est or not gen.any_user:
        return {}
    personas = Personas(gen)
    personas.reserve()
    hi = Person.objects.aggregate(hi=Max("pk"))["hi"] or 0
    total = Person.objects.count()
    done = lo = 0
    # Every id written here was handed out here or read from the database: SQLite need not look
    # each foreign key up again (a third of the time at a million persons). The tests run
    # ``PRAGMA foreign_key_check`` on the result.
    unchecked = connection.vendor == "sqlite" and not connection.in_atomic_block
    # Likewise the journal's indexes: millions of entries go in faster without them, and the
    # indexes are built again at the end in one pass each (at a million persons, 3.9 million
    # entries: about 40 s instead of 140 s).
    journal_indexes: list[str] = []
    if unchecked:
        with connection.cursor() as cur:
            cur.execute("PRAGMA foreign_keys = OFF")
            cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                        "AND sql IS NOT NULL ORDER BY name", [JournalEntry._meta.db_table])
            for name, sql in cur.fetchall():
                cur.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
                journal_indexes.append(sql)
    try:
        while lo < hi:
            top = lo + CHUNK
            rows = list(Person.objects.filter(pk__gt=lo, pk__lte=top, merged_into__isnull=True)
                        .values_list("pk", "sex", "birth_date", "birth_year", "establishment_id", "disability")
                        .order_by("pk"))
            gen.has_listening = set(Consent.objects.filter(person_id__gt=lo, person_id__lte=top,
                                                           purpose=Consent.Purpose.LISTENING)
                                    .values_list("person_id", flat=True))
            batch = _chunk(gen, rows)
            gen.chronicle(batch)
            write(gen.rows, batch, counts)
            done += len(rows)
            lo = top
            say(f"casework: {min(done, total):,}/{total:,} persons, {counts.get('cases', 0):,} cases")
        personas.build(counts)
    finally:
        if unchecked:
            say("casework: indexing the journal")
            with connection.cursor() as cur:
                for sql in journal_indexes:
                    cur.execute(sql)
                cur.execute("PRAGMA foreign_keys = ON")
    gen.rows.reset_sequences()
    return {**counts, "casework_seconds": round(time.monotonic() - started, 1)}


def _chunk(gen: Generator, rows: list[tuple[Any, ...]]) -> Batch:
    rng, today = gen.rng, gen.today
    batch = Batch()
    for pk, sex, birth, year, est_id, disability in rows:
        if pk in gen.reserved or est_id not in gen.est:
            continue
        p = PersonRow(pk, sex or "M", _age(today, birth, year), est_id, disability or "")
        roll = rng.random()
        if roll >= CASE_PERSON_SHARE:
            registered = gen.past(gen.at(today - timedelta(days=int(rng.random() ** 0.7 * 1100))))
            if roll < CASE_PERSON_SHARE + 0.1:
                # Came for information only.
                registered = gen.opening()
                s = gen.session(None, registered, PICK_RETURN_CHANNEL(rng), Urgency.NORMAL, [], person=pk,
                                est=gen.holder_for(p), consent=pk in gen.has_listening)
                batch.loose_sessions.append(s)
                batch.loose_needs.extend(gen.rows.new(SessionNeed, session_id=s.id, need=n)
                                         for n in gen.needs_for(gen.groups_for(p)))
            batch.person_dates.append((pk, registered, p.disability))
            if pk in gen.has_listening:
                batch.consent_dates.append((pk, registered))
            continue
        if not p.disability and rng.random() < (0.14 if p.age >= 60 else 0.06):
            p.disability = PICK_DISABILITY(rng)
        opens = sorted([gen.opening()] + ([gen.opening()] if rng.random() < SECOND_CASE_SHARE else []))
        if len(opens) == 2 and (opens[1] - opens[0]).days < 30:
            opens = opens[:1]
        subject = p
        registered = opens[0]
        had_consent = pk in gen.has_listening
        if rng.random() < 0.012:
            # A first contact under a pseudonym: the named record was registered on its own, earlier.
            obj = gen.rows.new(Person, id=gen.rows.take_id(Person), establishment_id=est_id,
                               pseudonym=rng.choice(PSEUDONYMS), sex=p.sex, birth_year=today.year - p.age,
                               birth_year_only=True, created_at=opens[0], updated_at=gen.now)
            batch.new_persons.append(obj)
            subject = PersonRow(obj.id, p.sex, p.age, est_id, p.disability)
            opens = opens[:1]
            registered = gen.past(gen.at(today - timedelta(days=int(rng.random() ** 0.7 * 1100))))
        first: Bundle | None = None
        for i, t0 in enumerate(opens):
            close_by = opens[1] - timedelta(days=rng.uniform(5, 25)) if i == 0 and len(opens) == 2 else None
            b = gen.random_case(batch, subject, t0, close_by=close_by)
            batch.bundles.append(b)
            first = first or b
            if b.case.closed_at is None:
                break  # still open: no second case
        batch.person_dates.append((pk, registered, p.disability))
        if had_consent:
            batch.consent_dates.append((pk, registered))
        if first is not None and rng.random() < 0.15:
            # Someone calls about a situation and does not give a name.
            s = gen.session(None, gen.opening(), PICK_ANONYMOUS_CHANNEL(rng), Urgency.NORMAL, [],
                            est=first.case.establishment_id, consent=False)
            batch.loose_sessions.append(s)
            batch.loose_needs.append(gen.rows.new(SessionNeed, session_id=s.id, need=PICK_NEED_ANY(rng)))
    return batch


# ---- the demo personas --------------------------------------------------------------------------


class Personas:
    """Hand-made casework for the demo logins, so that each finds a realistic day's work:
    ``agent.casa`` about 25 open cases (tasks overdue, due today and upcoming; one extreme case
    whose plan awaits the delegate), ``delegate.casa`` two pending approvals, ``manager.casa``
    and ``partner.casa`` referrals waiting in their inbox."""

    OWN, OTHERS = 31, 5

    def __init__(self, gen: Generator) -> None:
        self.gen = gen
        self.own: list[PersonRow] = []
        self.others: list[PersonRow] = []
        self.unit = 0

    def reserve(self) -> None:
        gen = self.gen
        agent = gen.persona.get("agent.casa")
        if agent is None:
            return
        unit = Assignment.objects.filter(user_id=agent, role=Role.AGENT).values_list("org_unit_id", flat=True).first()
        if unit is None or unit not in gen.est:
            return
        self.unit = unit
        gen.quiet_delegations.add(gen.est[unit].delegation)
        rows = list(Person.objects.filter(establishment__commune__province_id=gen.est[unit].province,
                                          merged_into__isnull=True)
                    .values_list("pk", "sex", "birth_date", "birth_year", "establishment_id", "disability")
                    .order_by("pk")[:5000])
        own = [r for r in rows if r[4] == unit]
        others = [r for r in rows if r[4] != unit and r[4] in gen.est]
        picked_others = others[: self.OTHERS]
        picked_own = (own + others[self.OTHERS:])[: self.OWN]
        self.own = [PersonRow(r[0], r[1] or "M", _age(gen.today, r[2], r[3]), r[4], r[5] or "") for r in picked_own]
        self.others = [PersonRow(r[0], r[1] or "M", _age(gen.today, r[2], r[3]), r[4], r[5] or "")
                       for r in picked_others]
        gen.reserved.update(p.pk for p in self.own + self.others)

    def build(self, counts: dict[str, int]) -> None:
        gen = self.gen
        if not self.own:
            return
        rng, now, today = gen.rng, gen.now, gen.today
        agent, unit = gen.persona["agent.casa"], self.unit
        everyone = self.own + self.others
        gen.has_listening = set(Consent.objects.filter(person_id__in=[p.pk for p in everyone],
                                                       purpose=Consent.Purpose.LISTENING)
                                .values_list("person_id", flat=True))
        batch = Batch()
        people = iter(self.own)
        overdue_tasks: list[Task] = []

        def opened(days: float) -> datetime:
            return now - timedelta(days=days) if days < 2 else gen.past(gen.at(gen.day(now - timedelta(days=days))))

        def base(days: float, **kw: Any) -> Bundle | None:
            p = next(people, None)
            if p is None:
                return None
            kw.setdefault("urgency", Urgency.NORMAL)
            b = gen.new_case(batch, p, opened(days), unit, agent, **kw)
            batch.bundles.append(b)
            return b

        def title(b: Bundle, kind: str) -> str:
            return _say(gen.trng, b.lang, FOLLOW_UP_TITLES[kind] if kind in FOLLOW_UP_TITLES
                        else NEED_ACTIONS[b.need_list[0]])

        def upcoming(b: Bundle, kind: str, in_days: int) -> Task:
            return gen.task(b, kind, title(b, kind), today + timedelta(days=in_days))

        def overdue(b: Bundle, kind: str, days_ago: int) -> Task:
            t = gen.task(b, kind, title(b, kind), today - timedelta(days=days_ago))
            t.reminded_at = gen.at(today - timedelta(days=days_ago - 1), 6, 7)
            overdue_tasks.append(t)
            return t

        def plan_with_history(b: Bundle, t_p: datetime, follow_ups: int) -> None:
            g = gen.goal(b, t_p, b.need_list[0])
            gen.task(b, Task.Kind.ACTION, title(b, Task.Kind.ACTION), gen.day(t_p) + timedelta(days=4), goal=g,
                     done=t_p + timedelta(days=5))
            due = gen.day(t_p) + timedelta(days=14)
            for _ in range(follow_ups):
                if due >= today - timedelta(days=2):
                    break
                kind = rng.choice([Task.Kind.VISIT, Task.Kind.CALL, Task.Kind.MEETING])
                gen.task(b, kind, title(b, kind), due, done=gen.at(due))
                due += timedelta(days=rng.randint(20, 35))
            review = gen.day(t_p) + timedelta(days=settings.CASE_REVIEW_DAYS)
            b.case.next_review_on = review
            if review > today:
                gen.task(b, Task.Kind.REVIEW, title(b, Task.Kind.REVIEW), review)

        # 1. The extreme case whose plan deadline runs: opened 30 hours ago on a police report,
        # first action on time, plan submitted this morning and awaiting the delegate.
        b = base(30 / 24, channel=Channel.POLICE, urgency=Urgency.LIFE,
                 groups=[TargetGroup.WOMAN, TargetGroup.VIOLENCE], needs=[Need.VIOLENCE, Need.SHELTER])
        if b is not None:
            t_a = b.case.opened_at + 2 * HOUR
            gen.assess(b, t_a, level=Level.EXTREME)
            track = gen.track_open(b, t_a)
            track.first_action_at = t_a + 4 * HOUR
            track.first_action_note = _say(gen.trng, b.lang, (
                ("إيواء مستعجل بمركز الإيواء وطلب شهادة طبية.",),
                ("Mise à l'abri en hébergement d'urgence, certificat médical demandé.",)))
            track.conference_at = t_a + 20 * HOUR
            track.conference_note = _say(gen.trng, b.lang, (
                ("اجتماع دراسة الحالة مع خلية التكفل بالنساء والأطفال بالمحكمة والمساعدة الاجتماعية.",),
                ("Réunion de synthèse avec l'unité de protection et l'assistante sociale du tribunal.",)))
            g = gen.goal(b, t_a + 22 * HOUR, Need.VIOLENCE)
            gen.goal(b, t_a + 22 * HOUR, Need.SHELTER)
            gen.task(b, Task.Kind.ACTION, _say(gen.trng, b.lang, NEED_ACTIONS[Need.VIOLENCE]), today + 2 * DAY, goal=g)
            gen.task(b, Task.Kind.ACTION, _say(gen.trng, b.lang, NEED_ACTIONS[Need.SHELTER]), today + 4 * DAY)
            track.plan_submitted_at = max(t_a + 24 * HOUR, now - 3 * HOUR)
            gen.approval(b, Approval.Kind.PLAN, track.plan_submitted_at, decided=None,
                         note=_say(gen.trng, b.lang, (("خطة التكفل الفردي: الإيواء والمواكبة القانونية.",),
                                                 ("Plan individuel : mise à l'abri et accompagnement juridique.",))))
        # 2-3. Received today and yesterday: the first interview is to come.
        for days, in_days in ((0.1, 2), (1.2, 5)):
            b = base(days, channel=Channel.WALK_IN)
            if b is not None:
                upcoming(b, Task.Kind.MEETING, in_days)
        # 4. Reported by the hospital two days ago: the home visit is today.
        today_tasks: list[Task] = []
        b = base(2.2, channel=Channel.HOSPITAL, groups=[TargetGroup.ELDERLY, TargetGroup.NO_SUPPORT],
                 needs=[Need.ELDERLY_CARE, Need.HEALTH])
        if b is not None:
            today_tasks.append(gen.task(b, Task.Kind.VISIT, title(b, Task.Kind.VISIT), today))
        # 5-8. Under assessment: assessed in the last two weeks, no plan yet.
        for i, days in enumerate((3, 6, 9, 13)):
            b = base(days)
            if b is None:
                continue
            gen.assess(b, b.case.opened_at + timedelta(days=1, hours=2), level=(Level.MEDIUM, Level.HIGH)[i % 2])
            if i == 0:
                overdue(b, Task.Kind.ACTION, 2)
            else:
                upcoming(b, Task.Kind.MEETING, 3 + i * 2)
        # 9-11. Referred: awaiting an answer (the oldest is past its answer date).
        for i, days in enumerate((4, 8, 15)):
            b = base(days)
            if b is None:
                continue
            gen.assess(b, b.case.opened_at + DAY, level=Level.MEDIUM)
            gen.referral(batch, b, now - timedelta(days=(2, 5, 9)[i], hours=3), None,
                         target=(Target.INTERNAL, Target.EXTERNAL, Target.PARTNER)[i], state=Referral.State.SENT)
            upcoming(b, Task.Kind.CALL, 4 + i * 3)
        # 12-17. In care: a plan and no follow-up done yet, or a referral accepted.
        for i, days in enumerate((12, 18, 22, 26, 30, 40)):
            b = base(days)
            if b is None:
                continue
            gen.assess(b, b.case.opened_at + DAY, level=(Level.HIGH, Level.MEDIUM)[i % 2])
            if i == 5:
                gen.referral(batch, b, b.case.opened_at + 3 * DAY, None, target=Target.INTERNAL,
                             state=Referral.State.ACCEPTED)
                upcoming(b, Task.Kind.CALL, 9)
                continue
            t_p = b.case.opened_at + 3 * DAY
            g = gen.goal(b, t_p, b.need_list[0])
            gen.task(b, Task.Kind.ACTION, title(b, Task.Kind.ACTION), gen.day(t_p) + 3 * DAY, goal=g,
                     done=t_p + timedelta(days=3, hours=2))
            if i == 0:
                today_tasks.append(gen.task(b, Task.Kind.CALL, title(b, Task.Kind.CALL), today))
            elif i == 1:
                overdue(b, Task.Kind.VISIT, 5)
            else:
                upcoming(b, rng.choice([Task.Kind.VISIT, Task.Kind.CALL]), 1 + i * 2)
            b.case.next_review_on = gen.day(t_p) + timedelta(days=settings.CASE_REVIEW_DAYS)
            gen.task(b, Task.Kind.REVIEW, title(b, Task.Kind.REVIEW), b.case.next_review_on)
        # 18-24. Under follow-up: plans running for weeks or months, visits and calls done.
        for i, days in enumerate((45, 60, 75, 95, 120, 160, 210)):
            b = base(days)
            if b is None:
                continue
            gen.assess(b, b.case.opened_at + 2 * DAY, level=(Level.HIGH, Level.MEDIUM, Level.LOW)[i % 3])
            plan_with_history(b, b.case.opened_at + 5 * DAY, follow_ups=8)
            if i == 0:
                today_tasks.append(gen.task(b, Task.Kind.MEETING, title(b, Task.Kind.MEETING), today))
            elif i == 1:
                overdue(b, Task.Kind.CALL, 9)
            else:
                upcoming(b, rng.choice([Task.Kind.VISIT, Task.Kind.CALL, Task.Kind.MEETING]), rng.randint(1, 13))
            if i == 3:
                gen.referral(batch, b, b.case.opened_at + 20 * DAY, None, target=Target.EXTERNAL,
                             state=Referral.State.COMPLETED)
        # 25. Placed: an extreme case from three months ago, plan approved, in a shelter.
        b = base(92, channel=Channel.OUTREACH, urgency=Urgency.HIGH,
                 groups=[TargetGroup.WOMAN, TargetGroup.NO_SUPPORT, TargetGroup.HOMELESS],
                 needs=[Need.SHELTER, Need.FOOD])
        if b is not None:
            t_a = b.case.opened_at + 5 * HOUR
            gen.assess(b, t_a, level=Level.EXTREME)
            track = gen.track_open(b, t_a)
            track.first_action_at = t_a + 6 * HOUR
            track.first_action_note = _say(gen.trng, b.lang, (("تم إيجاد مكان للمبيت الليلة بمركز الإيواء.",),
                                                         ("Hébergement d'urgence trouvé pour la nuit.",)))
            track.plan_submitted_at = t_a + 40 * HOUR
            track.plan_approved_at = t_a + 55 * HOUR
            gen.approval(b, Approval.Kind.PLAN, track.plan_submitted_at, decided=track.plan_approved_at)
            track.plan_approved_by_id = b.approvals[-1].decided_by_id
            plan_with_history(b, t_a + 30 * HOUR, follow_ups=3)
            gen.placement(b, track.plan_approved_at + 3 * HOUR, None)
            upcoming(b, Task.Kind.VISIT, 6)
        # 26-31. Closed earlier in the year.
        for days in (150, 200, 240, 280, 330, 400):
            b = base(days)
            if b is None:
                continue
            gen.assess(b, b.case.opened_at + DAY, level=rng.choice([Level.LOW, Level.MEDIUM]))
            plan_with_history(b, b.case.opened_at + 4 * DAY, follow_ups=3)
            closed = gen.at(gen.day(b.case.opened_at + timedelta(days=rng.randint(60, 130))))
            b.tasks = [t for t in b.tasks if t.done_at is not None and t.done_at <= closed]
            gen.close(b, closed)
            b.case.next_review_on = None

        # Other cases of the province: a placement awaiting the delegate, referrals sent to the
        # agent's centre (the manager's inbox) and to the partner association's centre.
        others = iter(self.others)
        province_holders = [x for x in gen.holders.get(gen.est[unit].province, ([], []))[0] if x != unit]

        def other_holder(p: PersonRow) -> int:
            if p.est != unit and gen.agents.get(p.est):
                return p.est
            return province_holders[p.pk % len(province_holders)] if province_holders else unit

        o = next(others, None)
        if o is not None:
            holder = other_holder(o)
            b = gen.new_case(batch, o, opened(20), holder, gen.agent_of(holder), urgency=Urgency.HIGH,
                             groups=[TargetGroup.ELDERLY, TargetGroup.NO_SUPPORT],
                             needs=[Need.ELDERLY_CARE, Need.SHELTER])
            gen.assess(b, b.case.opened_at + DAY, level=Level.HIGH)
            plan_with_history(b, b.case.opened_at + 3 * DAY, follow_ups=1)
            gen.placement(b, now - 20 * HOUR, None, pending=True)
            batch.bundles.append(b)
        for state, days in ((Referral.State.SENT, 1), (Referral.State.SENT, 8), (Referral.State.ACCEPTED, 5)):
            o = next(others, None)
            if o is None:
                break
            holder = other_holder(o)
            b = gen.new_case(batch, o, opened(days + 6), holder, gen.agent_of(holder), urgency=Urgency.NORMAL)
            gen.assess(b, b.case.opened_at + 2 * DAY, level=Level.MEDIUM)
            gen.referral(batch, b, gen.past(gen.at(gen.day(now - timedelta(days=days)))), None,
                         target=Target.INTERNAL, state=state, to_est=unit)
            batch.bundles.append(b)
        partner_unit = self._partner_unit()
        o = next(others, None)
        if o is not None and partner_unit is not None:
            b = gen.new_case(batch, o, opened(9), unit, agent, urgency=Urgency.NORMAL)
            gen.assess(b, b.case.opened_at + DAY, level=Level.MEDIUM)
            gen.referral(batch, b, now - timedelta(days=1, hours=3), None, target=Target.PARTNER,
                         state=Referral.State.SENT, to_est=partner_unit)
            upcoming(b, Task.Kind.CALL, 5)
            batch.bundles.append(b)

        for b in batch.bundles:
            b.case.status = status_of(b)
            registered = b.case.opened_at - timedelta(days=rng.randint(0, 400))
            batch.person_dates.append((b.person.pk, registered, b.person.disability))
            if b.person.pk in gen.has_listening:
                batch.consent_dates.append((b.person.pk, registered))
        gen.chronicle(batch)
        write(gen.rows, batch, counts)
        counts["notifications"] = gen.rows.insert(Notification, self._notifications(batch.bundles, overdue_tasks))

    def _partner_unit(self) -> int | None:
        partner_id = (Assignment.objects.filter(user_id=self.gen.persona.get("partner.casa", 0))
                      .values_list("partner_id", flat=True).first())
        province = self.gen.est[self.unit].province
        units = [e.pk for e in self.gen.est.values() if partner_id and e.partner == partner_id
                 and e.province == province]
        return units[0] if units else None

    def _notifications(self, bundles: list[Bundle], overdue_tasks: list[Task]) -> list[Notification]:
        """The unread notifications the personas would have received."""
        gen = self.gen
        agent, manager = gen.persona.get("agent.casa"), gen.persona.get("manager.casa")
        delegate, partner = gen.persona.get("delegate.casa"), gen.persona.get("partner.casa")
        rows: dict[tuple[int, str, str], Notification] = {}

        def note(user: int | None, kind: str, params: dict[str, Any], url: str) -> None:
            if user:
                rows.setdefault((user, kind, repr(params)), gen.rows.new(Notification, user_id=user, kind=kind,
                                                                         params=params, url=url))

        if overdue_tasks:
            note(agent, Notification.Kind.TASK_OVERDUE, {"count": len(overdue_tasks)}, "/cases/tasks/")
        for b in bundles:
            number = case_number(b.case.pk)
            for a in b.approvals:
                if a.decision == Approval.Decision.PENDING:
                    for u in (delegate, *gen.delegates.get(gen.est[b.case.establishment_id].delegation, [])):
                        note(u, Notification.Kind.APPROVAL_REQUESTED, {"case": number, "kind": a.kind},
                             "/cases/approvals/")
            if b.track is not None and b.track.plan_approved_at is None:
                for u in (agent, manager):
                    note(u, Notification.Kind.DEADLINE_NEAR,
                         {"case": number, "hours": settings.EXTREME_FIRST_ACTION_HOURS}, f"/cases/{b.case.pk}/")
            for r in b.referrals:
                if r.status == Referral.State.SENT and r.to_establishment_id:
                    note(manager if r.to_establishment_id == self.unit else partner, Notification.Kind.REFERRAL_NEW,
                         {"referral": str(r)}, f"/referrals/{r.pk}/")
        return list(rows.values())

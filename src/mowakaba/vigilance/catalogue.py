"""The indicators the institution starts with. They are rows of ``Indicator`` once loaded
(data migration 0002, and ``seed_indicators`` for a database created earlier): head office
edits them in the admin, adds others, switches some off."""

from __future__ import annotations

from typing import Any

# code, (ar, fr, en), numerator, denominator, factor, unit, dims, higher_is_better, theme,
# (definition ar, fr, en)
INDICATORS: list[dict[str, Any]] = [
    dict(code="beneficiaries", names=("المستفيدون", "Bénéficiaires servis", "People served"),
         numerator="beneficiaries", denominator="", factor=1, unit="count", dims=[], theme="reach",
         desc=("عدد الأشخاص الذين استفادوا من خدمة (جلسة إنصات أو فتح ملف أو ولوج برنامج)، "
               "يُحسب كل شخص مرة واحدة في السنة.",
               "Personnes ayant reçu un service (écoute, ouverture d'un dossier, admission dans un programme), "
               "chacune comptée une fois par an.",
               "People who received a service (listening, a case opened, a place in a programme), each counted "
               "once a year.")),
    dict(code="beneficiaries_per_1000", names=("المستفيدون لكل 1000 نسمة", "Bénéficiaires pour 1 000 habitants",
                                               "People served per 1,000 inhabitants"),
         numerator="beneficiaries", denominator="population", factor=1000, unit="per_1000", dims=[], theme="reach",
         desc=("المستفيدون مقسومون على السكان القانونيين (الإحصاء العام 2024) مضروبين في 1000.",
               "Bénéficiaires rapportés à la population légale (RGPH 2024), pour 1 000 habitants.",
               "People served divided by the legal population (2024 census), per 1,000 inhabitants.")),
    dict(code="sessions", names=("جلسات الإنصات الجديدة", "Nouvelles séances d'écoute", "New listening sessions"),
         numerator="sessions", denominator="", factor=1, unit="count", dims=["need", "channel"], theme="reach",
         desc=("عدد جلسات الإنصات المنعقدة، حسب الحاجة المعبر عنها وقناة الاستقبال.",
               "Séances d'écoute tenues, par besoin exprimé et par canal d'accueil.",
               "Listening sessions held, by need expressed and by channel.")),
    dict(code="cases_opened", names=("الملفات المفتوحة", "Dossiers ouverts", "Cases opened"),
         numerator="cases_opened", denominator="", factor=1, unit="count",
         dims=["level", "group", "sex", "age"], theme="casework",
         desc=("الملفات المفتوحة خلال الفترة، حسب درجة الهشاشة والفئة المستهدفة والجنس والسن.",
               "Dossiers ouverts sur la période, par niveau de vulnérabilité, groupe cible, sexe et âge.",
               "Cases opened in the period, by vulnerability level, target group, sex and age.")),
    dict(code="extreme_on_time_rate", names=("حالات الهشاشة القصوى المعالجة في الآجال",
                                             "Cas de vulnérabilité extrême traités dans les délais",
                                             "Extreme cases handled within their deadlines"),
         numerator="extreme_on_time", denominator="extreme_opened", factor=100, unit="percent", dims=[],
         theme="casework",
         desc=("نسبة حالات الهشاشة القصوى التي تم فيها أول تدخل وتقديم خطة التكفل داخل الآجال.",
               "Part des cas extrêmes dont la première action et le plan sont venus dans les délais.",
               "Share of extreme cases whose first action and plan both came within their deadlines.")),
    dict(code="followups_on_time_rate", names=("المتابعات المنجزة في وقتها", "Suivis réalisés à temps",
                                               "Follow-ups done on time"),
         numerator="tasks_on_time", denominator="tasks_due", factor=100, unit="percent", dims=["kind"],
         theme="casework",
         desc=("نسبة المتابعات (زيارات، اتصالات، إجراءات) المنجزة في تاريخها أو قبله، من بين التي حل أجلها.",
               "Part des suivis (visites, appels, actions) faits au plus tard à leur date, parmi ceux échus.",
               "Share of follow-ups (visits, calls, actions) done by their date, among those that fell due.")),
    dict(code="referral_completion_rate", names=("نسبة التوجيهات المكتملة", "Taux d'orientations abouties",
                                                 "Referrals completed"),
         numerator="referrals_completed", denominator="referrals_sent", factor=100, unit="percent",
         dims=["sector"], theme="orientation",
         desc=("من بين التوجيهات المرسلة خلال الفترة، نسبة التي اكتملت بنتيجة.",
               "Parmi les orientations envoyées sur la période, la part menée à son terme.",
               "Of the referrals sent in the period, the share completed.")),
    dict(code="referral_answer_days", names=("أجل الرد على التوجيه (بالأيام)",
                                             "Délai de réponse aux orientations (jours)", "Days to answer a referral"),
         numerator="referral_answer_days", denominator="referrals_answered", factor=1, unit="days", dims=[],
         higher_is_better=False, theme="orientation",
         desc=("متوسط عدد الأيام بين إرسال التوجيه والرد عليه.",
               "Nombre moyen de jours entre l'envoi d'une orientation et la réponse.",
               "Mean number of days between sending a referral and its answer.")),
    dict(code="enrolments", names=("الولوج إلى البرامج", "Admissions aux programmes", "Admissions to programmes"),
         numerator="enrolments", denominator="", factor=1, unit="count", dims=["programme", "sex", "age"],
         theme="programmes",
         desc=("عدد الأشخاص المقبولين في عرض برنامج، حسب البرنامج والجنس والسن.",
               "Personnes admises dans une offre de programme, par programme, sexe et âge.",
               "People admitted to a programme offering, by programme, sex and age.")),
    dict(code="enrolment_success_rate", names=("نسبة النتائج الإيجابية للبرامج", "Taux de résultats positifs",
                                               "Positive programme outcomes"),
         numerator="enrolment_success", denominator="enrolment_exits", factor=100, unit="percent",
         dims=["programme"], theme="programmes",
         desc=("من بين المغادرين لبرنامج، نسبة الذين حققوا نتيجة إيجابية (نجاح، عودة إلى الدراسة، شغل...).",
               "Parmi les sorties d'un programme, la part avec un résultat positif (réussite, retour à l'école, "
               "emploi...).",
               "Of the people leaving a programme, the share with a positive outcome (passed, back to school, "
               "a job...).")),
    dict(code="occupancy_rate", names=("نسبة ملء المقاعد", "Taux d'occupation des places", "Occupancy of places"),
         numerator="occupied", denominator="places", factor=100, unit="percent", dims=[], theme="capacity",
         desc=("المقاعد المشغولة في العروض المفتوحة مقسومة على المقاعد المتاحة، في آخر يوم من الفترة.",
               "Places occupées dans les offres ouvertes rapportées aux places offertes, au dernier jour de la "
               "période.",
               "Occupied places in open offerings divided by places offered, on the last day of the period.")),
    dict(code="training_sessions", names=("دورات التكوين المنجزة", "Sessions de formation tenues",
                                          "Training sessions held"),
         numerator="training_sessions", denominator="", factor=1, unit="count", dims=["theme"], theme="capacity",
         desc=("دورات تكوين الأطر المنعقدة (غير الملغاة)، حسب المحور.",
               "Sessions de formation du personnel tenues (non annulées), par thème.",
               "Staff training sessions held (not cancelled), by theme.")),
    dict(code="staff_trained", names=("الأطر المستفيدة من التكوين", "Personnel formé", "Staff trained"),
         numerator="staff_trained", denominator="", factor=1, unit="count", dims=[], theme="capacity",
         desc=("المشاركون الحاضرون يوما واحدا على الأقل في دورة تكوين.",
               "Participants présents au moins un jour à une session de formation.",
               "Participants present at least one day of a training session.")),
    dict(code="beneficiaries_per_agent", names=("المستفيدون لكل عون ميداني", "Bénéficiaires par agent",
                                                "People served per agent"),
         numerator="beneficiaries", denominator="agents", factor=1, unit="ratio", dims=[], theme="capacity",
         higher_is_better=False,
         desc=("المستفيدون مقسومون على عدد الأعوان والمسؤولين المعينين في المؤسسات (عبء العمل).",
               "Bénéficiaires rapportés aux agents et responsables affectés aux établissements (charge de travail).",
               "People served divided by the agents and managers assigned to establishments (workload).")),
]


def seed_indicators(Indicator: Any) -> int:
    """Create the starting indicators that do not exist yet; never overwrite an edited one."""
    created = 0
    for order, spec in enumerate(INDICATORS):
        ar, fr, en = spec["names"]
        dar, dfr, den = spec["desc"]
        _obj, was_created = Indicator.objects.get_or_create(code=spec["code"], defaults=dict(
            name_ar=ar, name_fr=fr, name_en=en, description_ar=dar, description_fr=dfr, description_en=den,
            numerator=spec["numerator"], denominator=spec["denominator"], factor=spec["factor"],
            unit=spec["unit"], dims=spec["dims"], higher_is_better=spec.get("higher_is_better", True),
            theme=spec["theme"], sort_order=(order + 1) * 10))
        created += int(was_created)
    return created

"""The programme catalogue of the seed year, loaded by a data migration (and reloaded by the demo
if missing). Head office may change it afterwards: it is data, not code.

Each entry: code, French and Arabic names, description, target groups, needs answered,
establishment types that run it, age range, sex, disability required, other criteria.
"""

from __future__ import annotations

from typing import Any

CATALOGUE: list[dict[str, Any]] = [
    {"code": "school-support", "name_fr": "Soutien scolaire", "name_ar": "الدعم المدرسي",
     "description": "Cours de soutien et aide aux devoirs pour les élèves en difficulté.",
     "target_groups": ["child", "youth"], "needs": ["schooling"],
     "establishment_types": ["cef", "eps_student", "eps_children", "csp"], "min_age": 6, "max_age": 18},
    {"code": "dropout-prevention", "name_fr": "Lutte contre l'abandon scolaire",
     "name_ar": "محاربة الهدر المدرسي",
     "description": "Hébergement, accompagnement et suivi des élèves à risque d'abandon, surtout en milieu rural.",
     "target_groups": ["child", "youth"], "needs": ["schooling"],
     "establishment_types": ["eps_student", "cef", "csp"], "min_age": 10, "max_age": 18},
    {"code": "disability-schooling", "name_fr": "Inclusion et scolarisation des enfants en situation de handicap",
     "name_ar": "إدماج وتمدرس الأطفال في وضعية إعاقة",
     "description": "Classes intégrées, rééducation et accompagnement à l'école.",
     "target_groups": ["disability", "child"], "needs": ["disability", "schooling"],
     "establishment_types": ["eps_disability", "coaph"], "min_age": 3, "max_age": 18,
     "disability_required": True},
    {"code": "women-empowerment", "name_fr": "Autonomisation économique des femmes",
     "name_ar": "التمكين الاقتصادي للنساء",
     "description": "Formation qualifiante (couture, coiffure, cuisine, broderie) et appui aux activités "
                    "génératrices de revenus.",
     "target_groups": ["woman", "violence"], "needs": ["employment", "income"],
     "establishment_types": ["cef", "emf", "csp"], "min_age": 16, "sex": "F"},
    {"code": "apprenticeship", "name_fr": "Formation par apprentissage", "name_ar": "التكوين بالتدرج المهني",
     "description": "Apprentissage d'un métier en centre et chez un artisan, avec un certificat.",
     "target_groups": ["youth", "woman"], "needs": ["employment"],
     "establishment_types": ["cfa", "cef"], "min_age": 15, "max_age": 30},
    {"code": "literacy", "name_fr": "Alphabétisation", "name_ar": "محو الأمية",
     "description": "Programme d'alphabétisation fonctionnelle pour adultes.",
     "target_groups": ["woman", "elderly", "no_support"], "needs": ["schooling", "employment"],
     "establishment_types": ["cef", "emf", "csp", "ups"], "min_age": 15},
    {"code": "preschool", "name_fr": "Éducation préscolaire", "name_ar": "التعليم الأولي",
     "description": "Jardins d'enfants pour les 4-6 ans.",
     "target_groups": ["child"], "needs": ["schooling"],
     "establishment_types": ["kindergarten", "csp"], "min_age": 4, "max_age": 6},
    {"code": "elderly-care", "name_fr": "Prise en charge des personnes âgées", "name_ar": "رعاية الأشخاص المسنين",
     "description": "Accueil, soins et animation pour les personnes âgées sans soutien familial.",
     "target_groups": ["elderly", "no_support"], "needs": ["elderly_care", "health", "shelter"],
     "establishment_types": ["eps_elderly", "ups"], "min_age": 60},
    {"code": "emergency-shelter", "name_fr": "Hébergement d'urgence", "name_ar": "الإيواء الاستعجالي",
     "description": "Mise à l'abri, repas et orientation des personnes sans abri.",
     "target_groups": ["homeless", "no_support", "violence"], "needs": ["shelter", "food"],
     "establishment_types": ["eps_homeless", "eps_women", "cas", "samu"]},
    {"code": "winter-campaign", "name_fr": "Campagne hivernale (grand froid)", "name_ar": "حملة البرد (موجة البرد)",
     "description": "Couvertures, repas chauds et hébergement temporaire pendant la vague de froid.",
     "target_groups": ["homeless", "elderly", "no_support"], "needs": ["shelter", "food"],
     "establishment_types": ["eps_homeless", "cas", "ups", "samu"]},
]

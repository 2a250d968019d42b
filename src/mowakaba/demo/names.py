"""Plausible Moroccan names in both scripts, for synthetic demo data only."""

from __future__ import annotations

import random

MALE_GIVEN: tuple[tuple[str, str], ...] = (
    ("Mohamed", "محمد"), ("Ahmed", "أحمد"), ("Youssef", "يوسف"), ("Hicham", "هشام"), ("Rachid", "رشيد"),
    ("Abdelkader", "عبد القادر"), ("Said", "سعيد"), ("Omar", "عمر"), ("Karim", "كريم"), ("Mustapha", "مصطفى"),
    ("Hassan", "حسن"), ("Hamza", "حمزة"), ("Brahim", "إبراهيم"), ("Khalid", "خالد"), ("Noureddine", "نور الدين"),
    ("Abdellah", "عبد الله"), ("Driss", "إدريس"), ("Jamal", "جمال"), ("Mehdi", "المهدي"), ("Anas", "أنس"),
)
FEMALE_GIVEN: tuple[tuple[str, str], ...] = (
    ("Fatima Zahra", "فاطمة الزهراء"), ("Khadija", "خديجة"), ("Salma", "سلمى"), ("Aicha", "عائشة"),
    ("Meryem", "مريم"), ("Nadia", "نادية"), ("Zineb", "زينب"), ("Hanane", "حنان"), ("Samira", "سميرة"),
    ("Latifa", "لطيفة"), ("Naima", "نعيمة"), ("Souad", "سعاد"), ("Imane", "إيمان"), ("Asmae", "أسماء"),
    ("Houda", "هدى"), ("Rachida", "رشيدة"), ("Malika", "مليكة"), ("Karima", "كريمة"), ("Hajar", "هاجر"),
    ("Siham", "سهام"),
)
FAMILY: tuple[tuple[str, str], ...] = (
    ("El Idrissi", "الإدريسي"), ("Alaoui", "العلوي"), ("Bennani", "بناني"), ("Benali", "بنعلي"),
    ("El Fassi", "الفاسي"), ("Tazi", "التازي"), ("Lahlou", "لحلو"), ("Berrada", "برادة"),
    ("Ait Lahcen", "آيت لحسن"), ("Ouazzani", "الوزاني"), ("Benjelloun", "بنجلون"), ("El Amrani", "العمراني"),
    ("Chraibi", "الشرايبي"), ("Bouzid", "بوزيد"), ("El Khattabi", "الخطابي"), ("Naciri", "الناصري"),
    ("Sebti", "السبتي"), ("Ait Ouahmane", "آيت وحمان"), ("Benkirane", "بنكيران"), ("El Ouafi", "الوافي"),
)


def random_person_name(rng: random.Random, sex: str) -> tuple[str, str, str, str]:
    given, given_ar = rng.choice(MALE_GIVEN if sex == "M" else FEMALE_GIVEN)
    family, family_ar = rng.choice(FAMILY)
    return given, family, given_ar, family_ar

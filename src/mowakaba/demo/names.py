"""Plausible Moroccan person names in both scripts, for synthetic demo data only.

Each entry is a ``(latin, arabic)`` pair. The Latin side follows the French-style
transliteration used by Moroccan civil status (``Youssef``, ``Abdelkader``, ``El Idrissi``,
``Ait Lahcen``); the Arabic side follows the usual Moroccan spelling (``عبد الرحمان``,
``آيت لحسن``, ``بنجلون``). Names are combined at random, so any resemblance to a real person
is coincidental: this module must never be fed with real people's data.
"""

from __future__ import annotations

import random

# Compact tables, several pairs a line: keep the formatter from putting one pair per line.
# fmt: off
MALE_GIVEN: tuple[tuple[str, str], ...] = (
    ("Mohamed", "محمد"), ("Ahmed", "أحمد"), ("Youssef", "يوسف"), ("Hicham", "هشام"), ("Rachid", "رشيد"),
    ("Abdelkader", "عبد القادر"), ("Said", "سعيد"), ("Omar", "عمر"), ("Karim", "كريم"), ("Mustapha", "مصطفى"),
    ("Hassan", "حسن"), ("Hamza", "حمزة"), ("Brahim", "إبراهيم"), ("Khalid", "خالد"), ("Noureddine", "نور الدين"),
    ("Abdellah", "عبد الله"), ("Driss", "إدريس"), ("Jamal", "جمال"), ("Mehdi", "المهدي"), ("Anas", "أنس"),
    ("Adil", "عادل"), ("Aziz", "عزيز"), ("Abdelaziz", "عبد العزيز"), ("Abderrahim", "عبد الرحيم"),
    ("Abderrahmane", "عبد الرحمان"), ("Abdelilah", "عبد الإله"), ("Abdelhak", "عبد الحق"),
    ("Abdelali", "عبد العالي"), ("Abdelghani", "عبد الغني"), ("Abdellatif", "عبد اللطيف"),
    ("Abdelmajid", "عبد المجيد"), ("Abdeslam", "عبد السلام"), ("Abdelhamid", "عبد الحميد"),
    ("Abdelkrim", "عبد الكريم"), ("Abdessamad", "عبد الصمد"), ("Abdelouahed", "عبد الواحد"),
    ("Abdelfattah", "عبد الفتاح"), ("Abdeljalil", "عبد الجليل"), ("Ayoub", "أيوب"), ("Amine", "أمين"),
    ("Mohammed Amine", "محمد أمين"), ("Bilal", "بلال"), ("Badr", "بدر"), ("Fouad", "فؤاد"), ("Hakim", "حكيم"),
    ("Ilyas", "إلياس"), ("Ismail", "إسماعيل"), ("Jawad", "جواد"), ("Kamal", "كمال"), ("Lahcen", "لحسن"),
    ("Larbi", "العربي"), ("Mounir", "منير"), ("Mourad", "مراد"), ("Nabil", "نبيل"), ("Najib", "نجيب"),
    ("Othmane", "عثمان"), ("Redouane", "رضوان"), ("Saad", "سعد"), ("Samir", "سمير"), ("Soufiane", "سفيان"),
    ("Tarik", "طارق"), ("Yassine", "ياسين"), ("Younes", "يونس"), ("Zakaria", "زكرياء"), ("Ali", "علي"),
    ("Aissa", "عيسى"), ("Moussa", "موسى"), ("Yahya", "يحيى"), ("Houssine", "حسين"), ("Miloud", "ميلود"),
    ("Mbarek", "مبارك"), ("Hammou", "حمو"), ("Taoufik", "توفيق"), ("Zouhair", "زهير"), ("Walid", "وليد"),
    ("Wassim", "وسيم"), ("Yasser", "ياسر"), ("Reda", "رضا"), ("Marouane", "مروان"), ("Nizar", "نزار"),
    ("Oussama", "أسامة"), ("Achraf", "أشرف"), ("Azzeddine", "عز الدين"), ("Salaheddine", "صلاح الدين"),
    ("Jalal", "جلال"), ("Mohcine", "محسن"), ("Habib", "حبيب"), ("Hafid", "حفيظ"), ("Chakib", "شكيب"),
    ("Boubker", "بوبكر"), ("Mokhtar", "مختار"), ("Ayman", "أيمن"), ("Taha", "طه"), ("Sami", "سامي"),
    ("Faouzi", "فوزي"), ("Khalil", "خليل"),
)

FEMALE_GIVEN: tuple[tuple[str, str], ...] = (
    ("Fatima Zahra", "فاطمة الزهراء"), ("Khadija", "خديجة"), ("Salma", "سلمى"), ("Aicha", "عائشة"),
    ("Meryem", "مريم"), ("Nadia", "نادية"), ("Zineb", "زينب"), ("Hanane", "حنان"), ("Samira", "سميرة"),
    ("Latifa", "لطيفة"), ("Naima", "نعيمة"), ("Souad", "سعاد"), ("Imane", "إيمان"), ("Asmae", "أسماء"),
    ("Houda", "هدى"), ("Rachida", "رشيدة"), ("Malika", "مليكة"), ("Karima", "كريمة"), ("Hajar", "هاجر"),
    ("Siham", "سهام"), ("Fatima", "فاطمة"), ("Amina", "أمينة"), ("Hayat", "حياة"), ("Najat", "نجاة"),
    ("Laila", "ليلى"), ("Sanaa", "سناء"), ("Ghizlane", "غزلان"), ("Loubna", "لبنى"), ("Bouchra", "بشرى"),
    ("Nawal", "نوال"), ("Wafae", "وفاء"), ("Zahra", "زهرة"), ("Saida", "سعيدة"), ("Mina", "مينة"),
    ("Rkia", "رقية"), ("Touria", "ثريا"), ("Habiba", "حبيبة"), ("Hind", "هند"), ("Ilham", "إلهام"),
    ("Kaoutar", "كوثر"), ("Oumaima", "أميمة"), ("Chaimae", "شيماء"), ("Hasnae", "حسناء"), ("Ikram", "إكرام"),
    ("Yasmine", "ياسمين"), ("Nisrine", "نسرين"), ("Soukaina", "سكينة"), ("Sara", "سارة"), ("Safae", "صفاء"),
    ("Jamila", "جميلة"), ("Fadwa", "فدوى"), ("Btissam", "ابتسام"), ("Nezha", "نزهة"), ("Mounia", "منية"),
    ("Noura", "نورة"), ("Rim", "ريم"), ("Widad", "وداد"), ("Wiam", "وئام"), ("Yousra", "يسرى"),
    ("Zakia", "زكية"), ("Halima", "حليمة"), ("Hafsa", "حفصة"), ("Aya", "آية"), ("Douae", "دعاء"),
    ("Doha", "ضحى"), ("Hiba", "هبة"), ("Khaoula", "خولة"), ("Lamia", "لمياء"), ("Maha", "مها"),
    ("Manal", "منال"), ("Majda", "ماجدة"), ("Nour", "نور"), ("Rajae", "رجاء"), ("Sabah", "صباح"),
    ("Samia", "سامية"), ("Soumaya", "سمية"), ("Yamna", "يامنة"), ("Fatiha", "فتيحة"), ("Hakima", "حكيمة"),
    ("Kenza", "كنزة"), ("Rania", "رانية"), ("Salima", "سليمة"), ("Jihane", "جيهان"), ("Mouna", "منى"),
    ("Assia", "آسية"), ("Hanae", "هناء"), ("Ghita", "غيثة"), ("Najoua", "نجوى"), ("Zoubida", "زبيدة"),
    ("Fatna", "فاطنة"), ("Ihssane", "إحسان"),
)

FAMILY: tuple[tuple[str, str], ...] = (
    # Sharifian and old city families
    ("El Idrissi", "الإدريسي"), ("Alaoui", "العلوي"), ("Mdaghri Alaoui", "المدغري العلوي"),
    ("Ismaili Alaoui", "الإسماعيلي العلوي"), ("Bennani", "بناني"), ("El Fassi", "الفاسي"),
    ("Fassi Fihri", "الفاسي الفهري"), ("Tazi", "التازي"), ("Lahlou", "لحلو"), ("Berrada", "برادة"),
    ("Ouazzani", "الوزاني"), ("Chraibi", "الشرايبي"), ("Kettani", "الكتاني"), ("Sqalli", "الصقلي"),
    ("Guessous", "كسوس"), ("Mernissi", "المرنيسي"), ("Cherkaoui", "الشرقاوي"), ("Zniber", "زنيبر"),
    ("Bargach", "بركاش"), ("Mekouar", "مكوار"), ("Kabbaj", "القباج"), ("Sebti", "السبتي"),
    ("Naciri", "الناصري"), ("Laraki", "العراقي"), ("Lahrichi", "لحريشي"), ("Lahbabi", "الحبابي"),
    ("Lazrak", "لزرق"), ("Lyoubi", "اليوبي"), ("Tahiri", "الطاهري"), ("Semlali", "السملالي"),
    ("Hilali", "الهلالي"), ("Kaitouni", "القيطوني"), ("Sefrioui", "الصفريوي"), ("Touzani", "التوزاني"),
    ("Hajoui", "الحجوي"), ("Tijani", "التجاني"), ("Lamrini", "المريني"), ("Kadmiri", "القدميري"),
    # Ben- / Bel- families (written as one word in Arabic)
    ("Benali", "بنعلي"), ("Benjelloun", "بنجلون"), ("Benkirane", "بنكيران"), ("Benmoussa", "بنموسى"),
    ("Benchekroun", "بنشقرون"), ("Bensouda", "بنسودة"), ("Bennis", "بنيس"), ("Benslimane", "بنسليمان"),
    ("Bensaid", "بنسعيد"), ("Benabdellah", "بنعبد الله"), ("Benyahia", "بنيحيى"), ("Benhaddou", "بنحدو"),
    ("Benomar", "بنعمر"), ("Benhima", "بنهيمة"), ("Benbrahim", "بنبراهيم"), ("Benmansour", "بنمنصور"),
    ("Bensalah", "بنصالح"), ("Benaissa", "بنعيسى"), ("Bennouna", "بنونة"), ("Benkaddour", "بنقدور"),
    ("Benzakour", "بنزاكور"), ("Benabdeljalil", "بنعبد الجليل"), ("Benyoussef", "بنيوسف"),
    ("Benzekri", "بنزكري"), ("Benmbarek", "بنمبارك"), ("Belhaj", "بلحاج"), ("Belkadi", "بلقاضي"),
    ("Belghiti", "بلغيتي"), ("Belkhayat", "بلخياط"), ("Belmokhtar", "بلمختار"), ("Belabbes", "بلعباس"),
    # El- families
    ("El Amrani", "العمراني"), ("El Khattabi", "الخطابي"), ("El Ouafi", "الوافي"), ("El Alami", "العلمي"),
    ("El Mansouri", "المنصوري"), ("El Ouardi", "الوردي"), ("El Moussaoui", "الموساوي"),
    ("El Yacoubi", "اليعقوبي"), ("El Youssfi", "اليوسفي"), ("El Hariri", "الحريري"), ("El Bakkali", "البقالي"),
    ("El Ghazouani", "الغزواني"), ("El Filali", "الفيلالي"), ("El Jirari", "الجراري"), ("El Omari", "العمري"),
    ("El Hassani", "الحسني"), ("El Malki", "المالكي"), ("El Ghali", "الغالي"), ("El Aouni", "العوني"),
    ("El Baz", "الباز"), ("El Azzouzi", "العزوزي"), ("El Hamdaoui", "الحمداوي"), ("El Boukili", "البوكيلي"),
    ("El Mrabet", "المرابط"), ("El Kadiri", "القادري"), ("El Ouali", "الوالي"), ("El Glaoui", "الكلاوي"),
    ("El Mokri", "المقري"), ("El Jamali", "الجمالي"), ("El Hachimi", "الهاشمي"), ("El Makhloufi", "المخلوفي"),
    ("El Othmani", "العثماني"), ("El Gharbaoui", "الغرباوي"), ("El Boukhari", "البخاري"),
    # Names from a region or city
    ("Ziani", "الزياني"), ("Zerouali", "الزروالي"), ("Rifi", "الريفي"), ("Soussi", "السوسي"),
    ("Doukkali", "الدكالي"), ("Marrakchi", "المراكشي"), ("Meknassi", "المكناسي"), ("Slaoui", "السلاوي"),
    ("Tanjaoui", "الطنجاوي"), ("Chaoui", "الشاوي"), ("Zemmouri", "الزموري"), ("Souiri", "الصويري"),
    ("Chami", "الشامي"),
    # Ait- and other Amazigh families
    ("Ait Lahcen", "آيت لحسن"), ("Ait Ouahmane", "آيت وحمان"), ("Ait Ali", "آيت علي"),
    ("Ait Brahim", "آيت براهيم"), ("Ait Taleb", "آيت طالب"), ("Ait Hammou", "آيت حمو"),
    ("Aït Said", "آيت سعيد"), ("Ait Moussa", "آيت موسى"), ("Ait Mbarek", "آيت مبارك"), ("Aït Omar", "آيت عمر"),
    ("Ait Haddou", "آيت حدو"), ("Ait Yahia", "آيت يحيى"), ("Ait Addi", "آيت عدي"), ("Ait Ahmed", "آيت أحمد"),
    ("Ait El Haj", "آيت الحاج"), ("Amzil", "أمزيل"), ("Ouchen", "أوشن"), ("Amghar", "أمغار"),
    ("Ouhammou", "أوحمو"),
    # Bou- families
    ("Bouzid", "بوزيد"), ("Boutaleb", "بوطالب"), ("Bouazza", "بوعزة"), ("Boujemaa", "بوجمعة"),
    ("Boussaid", "بوسعيد"), ("Bouabid", "بوعبيد"), ("Bouhlal", "بوهلال"), ("Bouchikhi", "بوشيخي"),
    ("Boutayeb", "بوطيب"), ("Boukhris", "بوخريس"), ("Bouzoubaa", "بوزوبع"),
    # Other common family names
    ("Hajji", "حجي"), ("Jaidi", "الجعيدي"), ("Khalfi", "الخلفي"), ("Harrak", "الحراق"), ("Naji", "ناجي"),
    ("Chafik", "شفيق"), ("Rahali", "الرحالي"), ("Hamdouchi", "الحمدوشي"), ("Ghazi", "غازي"),
    ("Saidi", "السعيدي"), ("Karimi", "الكريمي"),
)
# fmt: on


def random_person_name(rng: random.Random, sex: str) -> tuple[str, str, str, str]:
    """Return ``(given_latin, family_latin, given_ar, family_ar)`` for ``sex`` "M" or "F"."""
    if sex == "M":
        pool = MALE_GIVEN
    elif sex == "F":
        pool = FEMALE_GIVEN
    else:
        raise ValueError(f"sex must be 'M' or 'F', not {sex!r}")
    given, given_ar = rng.choice(pool)
    family, family_ar = rng.choice(FAMILY)
    return given, family, given_ar, family_ar

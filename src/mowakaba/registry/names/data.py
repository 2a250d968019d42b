"""Variant lexicon of common Moroccan given and family names.

One entry a line: ``kind | Latin spellings | Arabic spellings`` (comma-separated; the first Latin
spelling is the canonical one); a line ``+ | more Latin | more Arabic`` continues the entry above.
``kind`` is ``m``/``f`` (given name, male/female) or ``F`` (family name). Every spelling in an
entry is *the same name*; two different entries are *different names*, even when their skeletons
coincide (حسن Hassan / حسين Houssine, محمد / محمود, Imane / Amine, Saad / Said, Lahcen / Hassan,
Rachid / Rachida, Benali / Bennani). Entries that share a spelling are merged when the lexicon is
loaded, so a duplicated line cannot split a name in two.

The lexicon only fixes what the skeletons cannot; a name missing from it is still matched through
its skeleton and letters. Compiled by hand from the usual French-style civil-status spellings and
the demo name tables; it is neither exhaustive nor authoritative, extend it as names come up.
"""

from __future__ import annotations

LEXICON = """
m | mohamed, mohammed, muhammad, mohamad, mohammad, mouhamed, mouhammed, mohamd, muhammed |
+ | mohemed, mhamed, mhammed, med, mohd, mouhamad, mohammad | محمد, امحمد
m | ahmed, ahmad, ahmid, ahmet | أحمد
m | hamid, hamide, hameed | حميد
m | mahmoud, mahmud, mahmoude, mahmod | محمود
m | hamza, hamzah, hamzaa | حمزة
m | youssef, yousef, youcef, yussef, yusuf, youssouf, youssif, yousif, yusef, youssf | يوسف
m | hicham, hisham, hichem, hichame, hicheme | هشام
m | rachid, rashid, rachide, rached, rashed | رشيد, الرشيد
m | abdelkader, abdelkadir, abdulkader, abdelkhader, abd el kader, abdelqader, abdulqadir |
+ | abdelkadeur, abdel kader | عبد القادر
m | said, saaid, saeed, saiid, sayd | سعيد
m | saad, saadd, saâd | سعد
m | omar, omer, oumar, omare | عمر
m | karim, kareem, kerim, karime | كريم
m | mustapha, mustafa, moustapha, moustafa, mostafa, mostapha, mustapa, moustfa | مصطفى
m | hassan, hasan, hassane, hasane | حسن
m | lahcen, lahsen, lahssen, lahcene, lahssan, lahsan, el hassan, lhassan, elhassan | لحسن, الحسن
m | brahim, ibrahim, ibrahime, brahime, ebrahim, ibraheem, ibrahim | إبراهيم, ابراهيم, براهيم
m | khalid, khaled, khalide, khalid | خالد
m | noureddine, nourredine, nour eddine, nourdine, noureddin, noredine, nouredine, nourddine |
+ | nureddin, noureddine, nour edine | نور الدين
m | abdellah, abdallah, abdullah, abdella, abdelah, abdalla | عبد الله
m | driss, idriss, idris, dris, edriss, idrisse | إدريس, ادريس
m | jamal, djamal, jamel, gamal, jamaal, jamale | جمال
m | mehdi, mahdi, el mehdi, mehdy, almahdi | المهدي, مهدي
m | anas, anass, annas | أنس
m | adil, adel, aadil, adile | عادل
m | aziz, azziz, aziiz | عزيز
m | abdelaziz, abdel aziz, abdulaziz, abdelaaziz, abdelazize | عبد العزيز
m | abderrahim, abderahim, abdurrahim, abdelrahim, abderrahime, abdel rahim | عبد الرحيم
m | abderrahmane, abderrahman, abderahmane, abdurrahman, abdelrahman, abderrahmen, abderahman | عبد الرحمان
+ |  | عبد الرحمن
m | abdelilah, abdelillah, abdel ilah, abdulilah, abdelilahe | عبد الإله, عبد الاله
m | abdelhak, abdelhaq, abdulhaq, abdelhakk | عبد الحق
m | abdelali, abdelaali, abdel ali, abdulali, abdelaalie | عبد العالي
m | abdelghani, abdelghany, abdulghani, abdelgani | عبد الغني
m | abdellatif, abdelatif, abdel latif, abdullatif | عبد اللطيف
m | abdelmajid, abdelmajide, abdelmjid, abdelmadjid, abdulmajid, abdelmajeed | عبد المجيد
m | abdeslam, abdesslam, abdessalam, abdesselam, abdeslem, abdessalem, abdesalam, abdelsalam | عبد السلام
m | abdelhamid, abdelhamide, abdulhamid, abdel hamid | عبد الحميد
m | abdelkrim, abdelkarim, abdulkarim, abdel karim, abdelkrime | عبد الكريم
m | abdessamad, abdessamed, abdesamad, abdelsamad, abdusamad | عبد الصمد
m | abdelouahed, abdelwahed, abdelouahad, abdelwahid, abdelouahid, abdulwahid | عبد الواحد
m | abdelfattah, abdelfettah, abdelfatah, abdulfattah | عبد الفتاح
m | abdeljalil, abdeljalile, abdeldjalil, abduljalil | عبد الجليل
m | abdelhadi, abdulhadi | عبد الهادي
m | abdelmalek, abdelmalik, abdulmalik | عبد المالك, عبد الملك
m | abdennour, abdenour, abdelnour | عبد النور
m | abdelmoula, abdelmoulla | عبد المولى
m | abdelbasset, abdelbaset, abdelbasit | عبد الباسط
m | abdelouahab, abdelwahab, abdelouhab | عبد الوهاب
m | abdelhafid, abdelhafidh, abdelhafed | عبد الحفيظ
m | abdelmounaim, abdelmonaim, abdelmounim, abdelmonim | عبد المنعم
m | abdelmoumen, abdelmoumene | عبد المومن
m | abdelhakim, abdelhakime | عبد الحكيم
m | abdelkebir, abdelkabir | عبد الكبير
m | abdelmoughit, abdelmourhit | عبد المغيث
m | abdelghafour, abdelghafor | عبد الغفور
m | ayoub, ayyoub, ayub, aiyoub, ayoube | أيوب
m | amine, amin, amyne | أمين
m | bilal, bilel, bilale | بلال
m | badr, badre | بدر
m | badreddine, badr eddine, badredine, badreddin | بدر الدين
m | fouad, fuad, fouade, foad | فؤاد
m | hakim, hakime, hakeem | حكيم
m | ilyas, ilias, elias, elyas, ilyass, iliass, ilyes, elyass | إلياس, الياس
m | ismail, smail, ismael, esmail, ismaill | إسماعيل, اسماعيل, اسمعيل
m | jawad, jaouad, djaouad, jaouade, jawwad | جواد
m | kamal, kamel, kamale | كمال
m | larbi, arbi, el arbi, larby | العربي
m | mounir, mounire, munir, monir | منير
m | mourad, murad, mourade, morad | مراد
m | nabil, nabile, nabeel | نبيل
m | najib, najibe, nagib, najeeb, nejib | نجيب
m | othmane, otmane, outhmane, othman, otman, osmane, outmane, osman | عثمان
m | redouane, redwan, ridouane, radouane, redouan, ridwan, rdouane | رضوان
m | samir, samire, sameer | سمير
m | soufiane, sofiane, soufyane, sufyan, soufian, sofian | سفيان
m | tarik, tariq, tarek, tareq, tarique | طارق
m | yassine, yassin, yacine, yasin, yassyne, yacin, yasine | ياسين
m | younes, younas, yunus, younous, younesse, youness, younnes | يونس
m | zakaria, zakariya, zakarya, zakariae, zakariyae, zakariyya | زكرياء, زكريا
m | ali, aly | علي
m | aissa, issa, aisa | عيسى
m | moussa, mousa, musa | موسى
m | yahya, yahia, yehya, yahyia, yahiya | يحيى
m | houssine, hussein, houssaine, hossein, houcine, lhoussaine, lhoucine, houssain, husain |
+ | hocine, lahoucine, lahoussine, el houssine, houssein, hussain, lhoussine | حسين, الحسين, لحسين
m | miloud, miloude | ميلود
m | mbarek, moubarak, mubarak, mebarek, embarek, mbark, moubarek | مبارك, امبارك
m | hammou, hamou, hemmou | حمو
m | taoufik, toufik, tawfik, tawfiq, taoufiq, taofik, toufiq | توفيق
m | zouhair, zouheir, zuhair, zohair, zouhir | زهير
m | walid, oualid, waleed | وليد
m | wassim, ouassim, wasim, wassime | وسيم
m | yasser, yassir, yasir, yaser | ياسر
m | reda, rida, ridha, redha, ridaa | رضا
m | marouane, marwane, marwan, marouan | مروان
m | nizar, nizare, nezar | نزار
m | oussama, ossama, ousama, usama, oussema, oussamah | أسامة, اسامة
m | achraf, ashraf, achref, ashref | أشرف
m | azzeddine, azeddine, izzeddine, azzedine, ezzeddine, izeddine, ezzedine, azzdine | عز الدين
m | salaheddine, salah eddine, salahdine, salaheddin, salahedine, salah edine | صلاح الدين
m | jalal, jallal, djalal, jalale | جلال
m | mohcine, mohsine, mohsin, mouhcine, mohssine, mouhsine, mohcin | محسن
m | habib, habibe, habeeb | حبيب
m | hafid, hafidh, hafide, hafed, hafiz | حفيظ
m | chakib, chakibe, shakib, chekib | شكيب
m | boubker, boubaker, boubakr, aboubakr, abou bakr, boubakeur, aboubaker, boubekeur | بوبكر, أبو بكر
m | mokhtar, mukhtar, moukhtar | مختار, المختار
m | ayman, aymane, aimane, aiman, aymen | أيمن
m | taha, tahaa | طه
m | sami, samy | سامي
m | faouzi, fawzi, fouzi, faouzy | فوزي
m | khalil, khalile, khaleel | خليل
m | tayeb, taib, tayyeb, taieb | الطيب, طيب
m | bouchaib, bouchaibe, bouchayb, bouchaaib | بوشعيب
m | nasser, nacer, naser, nassir | ناصر
m | jilali, djilali, gilali, jillali | الجيلالي, جيلالي
m | thami, touhami, tohami, tami | التهامي
m | faycal, faical, faisal, faysal, fayssal | فيصل
m | hatim, hatem | حاتم
m | haitham, haytham, haitam, haytam | هيثم
m | jaafar, jafar, jaffar | جعفر
m | kacem, kassem, qassem, kasem, qacem, kassim | قاسم
m | lotfi, lutfi, lotfy | لطفي
m | rabie, rabii, rabi | ربيع
m | raouf, rauf | رؤوف, رءوف
m | riad, riyad, ryad, riyadh | رياض
m | saber, sabir | صابر
m | salah, salaah | صلاح
m | salim, selim, saleem | سليم
m | salem | سالم
m | wadie, ouadie, wadii, ouadii, wadih | وديع
m | yazid, yazide | يزيد
m | farid, faride, fareed | فريد
m | naim, naime | نعيم
m | malik, malek | مالك
m | majid, madjid, majide | ماجد
m | halim, halime | حليم
m | nadir, nadire | نادر
m | rahim, rahime | رحيم
m | adnane, adnan | عدنان
m | anouar, anwar, anour | أنور
m | bachir, bashir, bechir | بشير
m | mimoun, maimoun, maymoun | ميمون
m | moha | موحى, موحا
m | mouad, mouaad, muad, moad, mouadh | معاد, معاذ
m | zaid, zayd, zied | زيد
m | ziad, ziyad, zyad | زياد
m | amir, ameer | أمير
m | rayane, rayan, raiane | ريان
m | adam, adame | آدم
m | nassim, nacim, nassime | نسيم
m | chafik, chafiq, shafik | شفيق
m | naji, nagi | ناجي
m | ghazi | غازي
m | issam, essam | عصام
m | fahd, fahad | فهد
m | hamdi, hamdy | حمدي
m | abbes, abbas | عباس
m | allal, alal | علال
m | kaddour, qaddour, kadour | قدور
m | bouazza, bouaza | بوعزة
m | mansour, mansur | منصور
m | wahid, ouahid | وحيد
m | idir | إيدير
m | massinissa | ماسينيسا
m | abdou, abdo | عبدو
m | jamil, djamil | جميل
m | imad, imade, emad | عماد
m | lahbib, lhabib | لحبيب
m | bouchta, bouchtta | بوشتى
m | marzouk, marzouq | مرزوق
m | mahjoub, mahjoube | محجوب
m | maati, mati | المعطي, معطي
f | fatima, fatma, fatimah, fatema, fateema | فاطمة
f | fatimazahra, fatima zahra, fatima zohra, fatima ezzahra, fatimazohra, fatim zahra |
+ | fatima zehra, fatimaezzahra, fatimzahra, fatima zahrae | فاطمة الزهراء, فاطمة الزهرة, فاطمة زهرة, فاطمة الزهرا
+ |  | فاطمة زهراء
f | zahra, zohra, zahrae, zehra, zahraa, ezzahra | زهرة, الزهراء, زهراء, الزهرة
f | khadija, khadidja, khadijah, khedija, kadija, khadeeja, khadija | خديجة
f | salma, selma, salmaa | سلمى
f | aicha, aisha, aycha, aaicha, ayesha, aichaa | عائشة, عايشة, عيشة
f | meryem, mariam, maryam, meriem, myriam, mariem, maryem, meryam | مريم
f | nadia, nadya, nadiya | نادية
f | zineb, zainab, zaynab, zeineb, zeinab, zinab, zainabe | زينب
f | hanane, hanan, hananne | حنان
f | samira, samirah, sameera | سميرة
f | latifa, latefa, lateefa | لطيفة
f | naima, naeema, naeima, nayma, naaima | نعيمة
f | souad, suad, souade, soad | سعاد
f | imane, iman, imene, imen, eman, imanne | إيمان, ايمان
f | asmae, asmaa, asma, esmae | أسماء, اسماء
f | houda, hoda, huda | هدى
f | rachida, rashida, rachidah | رشيدة
f | malika, malikah, maleeka | مليكة
f | karima, kareema | كريمة
f | hajar, hajjar, hadjar, hajare | هاجر
f | siham, sihame | سهام
f | amina, aminah, amena | أمينة
f | hayat, hayate | حياة
f | najat, najate, nejat | نجاة
f | laila, leila, layla, leyla, lyla | ليلى
f | sanaa, sanae, sana | سناء
f | ghizlane, ghizlan, ghislane, rhizlane, ghizlaine, ghzlane | غزلان
f | loubna, lubna, lobna | لبنى
f | bouchra, bushra, bochra, boushra | بشرى
f | nawal, naoual, nawale | نوال
f | wafae, wafaa, wafa, ouafae, ouafa | وفاء
f | saida, saaida | سعيدة
f | mina | مينة
f | rkia, rkiya, rqia, rokia, roqia, ruqaya, rokaya, roqaya, rqiya | رقية
f | touria, thouria, thuraya, touriya, tourya | ثريا
f | habiba | حبيبة
f | hind | هند
f | ilham, ilhame, elham | إلهام, الهام
f | kaoutar, kawtar, kaouthar, kaoutare, kawthar | كوثر
f | oumaima, oumayma, umaima, omaima, oumaima | أميمة, اميمة
f | chaimae, chaima, chaymae, shaima, chaimaa, chayma | شيماء
f | hasnae, hasna, hasnaa, hassna, hassnae | حسناء
f | ikram, ikrame | إكرام, اكرام
f | yasmine, yasmin, yassmine, yasmeen | ياسمين
f | yasmina | ياسمينة
f | nisrine, nesrine, nisrin, nissrine | نسرين
f | soukaina, sokaina, soukayna, sukaina, soukaina | سكينة
f | sara, sarah, sarra | سارة
f | safae, safaa, safa | صفاء
f | jamila, djamila, jamilah, jamilla | جميلة
f | fadwa, fadoua | فدوى
f | btissam, ibtissam, ebtissam, ibtisam, btissame | ابتسام
f | nezha, nouzha, nuzha | نزهة
f | mounia, mounya, monia, mouniya | منية
f | noura, nora, nourah | نورة
f | rim, reem | ريم
f | widad, ouidad, wydad | وداد
f | wiam, ouiam, wiame, ouiame | وئام, ويام
f | yousra, youssra, yusra, yosra | يسرى
f | zakia, zakiya, zakiah | زكية
f | halima, halimah | حليمة
f | hafsa, hafssa | حفصة
f | aya, ayah | آية, اية
f | douae, doua, douaa, doae | دعاء
f | doha, douha, duha | ضحى
f | hiba, heba, hibah | هبة
f | khaoula, khawla, kaoula | خولة
f | lamia, lamiae, lamiaa, lamya | لمياء
f | maha | مها
f | manal, manale | منال
f | majda, majida | ماجدة
f | nour, noor | نور
f | rajae, rajaa, raja | رجاء
f | sabah | صباح
f | samia, samiya | سامية
f | soumaya, soumia, soumiya, sumaya, soumaia | سمية
f | yamna | يامنة
f | fatiha | فتيحة
f | hakima | حكيمة
f | kenza, kanza | كنزة
f | rania, ranya | رانية
f | salima | سليمة
f | jihane, jihan, jihene, gihane | جيهان
f | mouna, mona, muna | منى
f | assia, asia, assiya | آسية
f | hanae, hanaa, hana | هناء
f | ghita, rhita, ghitta | غيثة
f | najoua, najwa, nejwa | نجوى
f | zoubida, zoubaida, zubida, zoubeida | زبيدة
f | fatna | فاطنة
f | ihssane, ihsane, ihssan, ihsan | إحسان
f | nabila | نبيلة
f | adila | عادلة
f | aziza | عزيزة
f | farida | فريدة
f | hamida | حميدة
f | jalila | جليلة
f | hafida | حفيظة
f | mounira | منيرة
f | rabia | ربيعة
f | salwa, saloua | سلوى
f | amal, amale | أمال, آمال
f | fadila, fadela | فضيلة
f | inass, inas, ines | إيناس
f | houria, hourya | حورية
f | fouzia, fawzia, fouziya | فوزية
f | malak | ملاك
f | itto, ittou | إطو, ايطو
f | mbarka, mebarka | مباركة
f | safia, safiya | صفية
f | naziha | نزيهة
f | wissal, ouissal, wisal | وصال
f | khadouj, khaddouj | خدوج
f | mimouna | ميمونة
f | najia | ناجية
f | maria | ماريا
f | saadia, saadiya | سعدية
f | khaira, kheira | خيرة
f | hadda | حادة
f | rahma | رحمة
f | dounia, dounya, dunia | دنيا
f | nouhaila, nouhayla, nohaila | نهيلة
f | marwa, maroua | مروة
f | chourouk, chorouk, shorouk | شروق
F | el idrissi, idrissi, elidrissi, el idrisi, idrisi, lidrissi | الإدريسي, الادريسي, إدريسي
F | alaoui, el alaoui, allaoui, alaouie, alawi | العلوي, علوي
F | mdaghri | المدغري
F | ismaili, smaili, el ismaili | الإسماعيلي, الاسماعيلي
F | bennani, benani, bennany | بناني
F | el fassi, fassi, al fasi, elfassi, fasi | الفاسي
F | fihri, el fihri | الفهري
F | tazi, ettazi, tazy | التازي, تازي
F | lahlou, lahlu | لحلو
F | berrada, berada | برادة
F | ouazzani, wazzani, ouazani, el ouazzani | الوزاني
F | chraibi, cheraibi, chraybi | الشرايبي
F | kettani, ktani, kattani, el kettani | الكتاني
F | sqalli, skalli, seqalli, sekkali | الصقلي
F | guessous, gessous | كسوس
F | mernissi, el mernissi | المرنيسي
F | cherkaoui, charkaoui, echcherkaoui, ech cherkaoui, cherqaoui | الشرقاوي
F | zniber, zenibar | زنيبر
F | bargach, barguach | بركاش
F | mekouar, mekwar | مكوار
F | kabbaj, kabaj, el kabbaj | القباج
F | sebti, essebti | السبتي
F | naciri, nassiri, ennaciri, nasiri, en nassiri | الناصري
F | laraki, iraqi, el iraqi | العراقي
F | lahrichi, lahrichy | لحريشي
F | lahbabi, habbabi | الحبابي
F | lazrak, lazraq | لزرق
F | lyoubi, el youbi | اليوبي
F | tahiri, ettahiri, taheri, et tahiri | الطاهري
F | semlali, essemlali | السملالي
F | hilali, el hilali | الهلالي
F | kaitouni, kitouni | القيطوني
F | sefrioui, sefriwi | الصفريوي
F | touzani, ettouzani | التوزاني
F | hajoui, el hajoui | الحجوي
F | tijani, tidjani, ettijani | التجاني
F | lamrini, el merini, merini | المريني
F | kadmiri, el kadmiri | القدميري
F | benali, ben ali, benaly | بنعلي
F | benjelloun, benjeloun, ben jelloun, bendjelloun | بنجلون
F | benkirane, benkiran, ben kirane | بنكيران
F | benmoussa, ben moussa, benmousa | بنموسى
F | benchekroun, benchekroune, ben chekroun | بنشقرون
F | bensouda, ben souda | بنسودة
F | bennis, benis | بنيس
F | benslimane, ben slimane, benslimane | بنسليمان
F | bensaid, ben said | بنسعيد
F | benabdellah, ben abdellah, benabdallah | بنعبد الله
F | benyahia, ben yahia, benyahya | بنيحيى
F | benhaddou, ben haddou | بنحدو
F | benomar, ben omar | بنعمر
F | benhima, ben hima | بنهيمة
F | benbrahim, ben brahim | بنبراهيم
F | benmansour, ben mansour | بنمنصور
F | bensalah, ben salah | بنصالح
F | benaissa, ben aissa | بنعيسى
F | bennouna, benouna | بنونة
F | benkaddour, ben kaddour | بنقدور
F | benzakour, ben zakour | بنزاكور
F | benabdeljalil | بنعبد الجليل
F | benyoussef, ben youssef | بنيوسف
F | benzekri, ben zekri | بنزكري
F | benmbarek, ben mbarek | بنمبارك
F | belhaj, belhadj, bel haj | بلحاج
F | belkadi, belqadi | بلقاضي
F | belghiti, belrhiti | بلغيتي
F | belkhayat, belkhayyat | بلخياط
F | belmokhtar | بلمختار
F | belabbes, belabbas | بلعباس
F | el amrani, amrani, lamrani, elamrani | العمراني
F | el khattabi, khattabi | الخطابي
F | el ouafi, ouafi, elouafi | الوافي
F | el alami, alami, lalami | العلمي
F | el mansouri, mansouri | المنصوري
F | el ouardi, ouardi, wardi | الوردي
F | el moussaoui, moussaoui | الموساوي
F | el yacoubi, yacoubi, yaacoubi, yakoubi | اليعقوبي
F | el youssfi, youssfi, yousfi | اليوسفي
F | el hariri, hariri | الحريري
F | el bakkali, bakkali, bakali | البقالي
F | el ghazouani, ghazouani, ghazwani | الغزواني
F | el filali, filali | الفيلالي
F | el jirari, jirari | الجراري
F | el omari, omari, laamari | العمري
F | el hassani, hassani | الحسني
F | el malki, malki | المالكي
F | el ghali, ghali | الغالي
F | el aouni, aouni | العوني
F | el baz, baz | الباز
F | el azzouzi, azzouzi, azouzi | العزوزي
F | el hamdaoui, hamdaoui | الحمداوي
F | el boukili, boukili | البوكيلي
F | el mrabet, mrabet, lamrabet | المرابط
F | el kadiri, kadiri, qadiri | القادري
F | el ouali, ouali | الوالي
F | el glaoui, glaoui | الكلاوي
F | el mokri, mokri, mokhri | المقري
F | el jamali, jamali | الجمالي
F | el hachimi, hachimi, hashimi | الهاشمي
F | el makhloufi, makhloufi | المخلوفي
F | el othmani, othmani, otmani | العثماني
F | el gharbaoui, gharbaoui | الغرباوي
F | el boukhari, boukhari, bukhari | البخاري
F | ziani, zayani | الزياني
F | zerouali | الزروالي
F | rifi, errifi | الريفي
F | soussi, essoussi | السوسي
F | doukkali, doukali | الدكالي
F | marrakchi, marakchi | المراكشي
F | meknassi, meknasi | المكناسي
F | slaoui, esslaoui | السلاوي
F | tanjaoui, tanjawi | الطنجاوي
F | chaoui, echchaoui | الشاوي
F | zemmouri, zemouri | الزموري
F | souiri, essouiri | الصويري
F | chami, echchami | الشامي
F | ait lahcen, aitlahcen, ait lahsen | آيت لحسن
F | ait ouahmane, ait wahmane | آيت وحمان
F | ait ali, aitali | آيت علي
F | ait brahim, aitbrahim | آيت براهيم
F | ait taleb | آيت طالب
F | ait hammou | آيت حمو
F | ait said | آيت سعيد
F | ait moussa | آيت موسى
F | ait mbarek | آيت مبارك
F | ait omar | آيت عمر
F | ait haddou | آيت حدو
F | ait yahia, ait yahya | آيت يحيى
F | ait addi | آيت عدي
F | ait ahmed | آيت أحمد
F | ait el haj, ait elhaj, ait lhaj | آيت الحاج
F | amzil | أمزيل
F | ouchen | أوشن
F | amghar | أمغار
F | ouhammou | أوحمو
F | bouzid | بوزيد
F | boutaleb | بوطالب
F | boujemaa, boujamaa, boujmaa | بوجمعة
F | boussaid, bousaid | بوسعيد
F | bouabid | بوعبيد
F | bouhlal | بوهلال
F | bouchikhi, boucheikhi | بوشيخي
F | boutayeb, boutaib | بوطيب
F | boukhris | بوخريس
F | bouzoubaa | بوزوبع
F | hajji, hadji | حجي
F | jaidi, el jaidi | الجعيدي
F | khalfi, el khalfi | الخلفي
F | harrak, el harrak | الحراق
F | rahali, errahali | الرحالي
F | hamdouchi | الحمدوشي
F | saidi, essaidi, es saidi | السعيدي
F | karimi, el karimi | الكريمي
F | allali, alali | علالي
F | bouzidi, el bouzidi | البوزيدي
F | daoudi, eddaoudi | الداودي
F | haddad, el haddad | الحداد
F | najjar, nejjar, ennajjar | النجار
F | sabri | صبري
F | rahmouni, errahmouni | الرحموني
F | ouahbi, el ouahbi, wahbi | الوهبي
F | raji, erraji | الراجي
F | jabri, el jabri | الجابري
F | tounsi, ettounsi | التونسي
F | sbai, essbai, sebai | السباعي
F | sahraoui, essahraoui | الصحراوي
F | sekkat, sakkat | السقاط
F | akhannouch, akhanouch | أخنوش
F | oufkir | أوفقير
F | belkacem, belkassem | بلقاسم
F | dahbi, eddahbi, ed dahbi | الذهبي
F | rachidi, errachidi | الراشدي
F | moujahid, mojahid | مجاهد
F | mouhib | محب
F | lamghari, el mghari | المغاري
F | bouazzaoui | البوعزاوي
F | guerraoui, gueraoui | الكراوي
F | amraoui, el amraoui | العمراوي
F | hassouni, el hassouni | الحسوني
F | mouline | مولين
F | bakkouri, el bakkouri | البكوري
F | benchrif | بنشريف
F | chentouf | شنتوف
F | lahlali, el lahlali | اللحلالي
F | lachgar | لشكر
F | raissouni, raisouni | الريسوني
m | rochdi, rochdy, rushdi | رشدي
m | naoufal, nawfal, noufal, naufal | نوفل
m | abdelhay, abdelhai | عبد الحي
m | abdelaati, abdelati | عبد العاطي
m | abdennabi, abdenbi, abdelnabi | عبد النبي
m | abdessadek, abdessadeq | عبد الصادق
m | abdelkhalek, abdelkhaleq | عبد الخالق
m | abdelouafi, abdelwafi | عبد الوافي
m | zineddine, zine eddine, zinedine | زين الدين
m | charafeddine, charaf eddine, charafdine | شرف الدين
m | charaf, charef | شرف
f | nada, nadaa | ندى
f | fettouma, fattouma | فطومة
f | zahia, zahiya | زهية
f | rabha | رابحة
f | batoul, batool | بتول
f | chama, chamaa | شامة
f | hajiba | حجيبة
F | nasri, ennasri | النصري
F | larabi, laarabi, el arabi | العرابي
F | chergui, cherki, echchergui | الشرقي
F | zerhouni | الزرهوني
F | ayachi, ayyachi, el ayachi | العياشي
F | ouakili, wakili | الوكيلي
F | rbati, errbati | الرباطي
F | bidaoui, baidaoui | البيضاوي
F | abdellaoui | العبدلاوي
F | fellahi | الفلاحي
F | housseini, hosseini, el housseini | الحسيني
F | cherif, echcherif | الشريف
F | cherifi | الشريفي
F | jazouli, guezouli, el jazouli | الجزولي
F | attar, el attar | العطار
F | khayati | الخياطي
F | sebbagh, essebbagh | الصباغ
F | boucetta | بوستة
F | derkaoui, darkaoui | الدرقاوي
F | tetouani, ettetouani | التطواني
F | oujdi | الوجدي
F | bencheikh, ben cheikh | بنالشيخ, بن الشيخ
F | benayad, ben ayad | بنعياد
F | benattia | بنعطية
F | bennaceur, benacer, bennacer | بناصر
F | bentayeb | بنالطيب
F | belarbi | بلعربي
F | belkheir | بلخير
F | belhassan | بلحسن
F | belfkih, belfquih | بلفقيه
F | aknouch | أكنوش
F | harzni | حرزني
F | rami, errami | الرامي
F | radi, erradi | الراضي
F | rihani, errihani | الريحاني
F | yazidi, el yazidi | اليزيدي
F | zaoui, ezzaoui | الزاوي
F | debbagh, eddebbagh | الدباغ
F | bousselham | بوسلهام
F | messaoudi, el messaoudi | المسعودي
F | fatmi, el fatmi | الفاطمي
F | fqih, lafkih, el fakih | الفقيه
F | hlimi | الحليمي
F | saoui, essaoui | الصاوي
F | bekkari, el bekkari | البكاري
F | mnasri, el mnasri | المناصري
F | berrahou | برحو
F | fakir, el fakir | الفقير
F | chrigui | الشريكي
f | nadira | نادرة
m | slimane, soulaimane, souleimane, sulaiman, soulaiman, slimane | سليمان
m | chouaib, choaib, chouayb, shuaib | شعيب
m | tahar, taher, ettaher, tahir | الطاهر, طاهر
m | khalifa, khlifa, khalifah | خليفة
m | mouloud, mouloude, mulud | مولود
m | bouziane, bouzyane, bouzian | بوزيان
m | wissam, ouissam, wisam, wissame | وسام
f | israe, issrae, esraa, israa, isra, esrae | إسراء, اسراء
f | oumnia, omnia, oumnya, omniya | أمنية, امنية
f | ikhlas, ikhlass, ikhlasse | إخلاص, اخلاص
f | alae, alaa, alaae | آلاء, الاء
f | nassima, nasima, nessima | نسيمة
f | ibtihal, ebtihal, btihal | ابتهال
f | manar, manare | منار
f | radia, radya, radiya | راضية
"""

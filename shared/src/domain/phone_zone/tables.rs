//! Which zone a country, or a North American area code, lies wholly in.
//!
//! An entry belongs here only when every number it covers keeps the same clock today.
//! Missing entries are deliberate: the caller then falls back to the business's zone.

use phonenumber::country::Id;

/// Countries (as libphonenumber assigns numbers to regions) with one clock nationwide.
///
/// Left out because their numbers span several clocks: Australia, Brazil, Canada and the
/// US (+1, by area code below), Chile (Easter Island), China (Xinjiang keeps its own
/// time in practice), DR Congo, Ecuador (Galápagos), Indonesia, Kazakhstan, Kiribati,
/// Mexico, Micronesia, Mongolia, Papua New Guinea, Portugal (the Azores), Russia, Spain
/// (the Canaries) and Ukraine (Crimea). Argentina, Malaysia and Uzbekistan have several
/// IANA zones that differ only in history, so one stands for each.
pub(super) const COUNTRIES: &[(Id, &str)] = &[
    // Europe
    (Id::AD, "Europe/Andorra"),
    (Id::AL, "Europe/Tirane"),
    (Id::AT, "Europe/Vienna"),
    (Id::AX, "Europe/Mariehamn"),
    (Id::BA, "Europe/Sarajevo"),
    (Id::BE, "Europe/Brussels"),
    (Id::BG, "Europe/Sofia"),
    (Id::BY, "Europe/Minsk"),
    (Id::CH, "Europe/Zurich"),
    (Id::CY, "Asia/Nicosia"),
    (Id::CZ, "Europe/Prague"),
    (Id::DE, "Europe/Berlin"),
    (Id::DK, "Europe/Copenhagen"),
    (Id::EE, "Europe/Tallinn"),
    (Id::FI, "Europe/Helsinki"),
    (Id::FO, "Atlantic/Faroe"),
    (Id::FR, "Europe/Paris"),
    (Id::GB, "Europe/London"),
    (Id::GG, "Europe/Guernsey"),
    (Id::GI, "Europe/Gibraltar"),
    (Id::GR, "Europe/Athens"),
    (Id::HR, "Europe/Zagreb"),
    (Id::HU, "Europe/Budapest"),
    (Id::IE, "Europe/Dublin"),
    (Id::IM, "Europe/Isle_of_Man"),
    (Id::IS, "Atlantic/Reykjavik"),
    (Id::IT, "Europe/Rome"),
    (Id::JE, "Europe/Jersey"),
    (Id::LI, "Europe/Vaduz"),
    (Id::LT, "Europe/Vilnius"),
    (Id::LU, "Europe/Luxembourg"),
    (Id::LV, "Europe/Riga"),
    (Id::MC, "Europe/Monaco"),
    (Id::MD, "Europe/Chisinau"),
    (Id::ME, "Europe/Podgorica"),
    (Id::MK, "Europe/Skopje"),
    (Id::MT, "Europe/Malta"),
    (Id::NL, "Europe/Amsterdam"),
    (Id::NO, "Europe/Oslo"),
    (Id::PL, "Europe/Warsaw"),
    (Id::RO, "Europe/Bucharest"),
    (Id::RS, "Europe/Belgrade"),
    (Id::SE, "Europe/Stockholm"),
    (Id::SI, "Europe/Ljubljana"),
    (Id::SJ, "Arctic/Longyearbyen"),
    (Id::SK, "Europe/Bratislava"),
    (Id::SM, "Europe/San_Marino"),
    (Id::TR, "Europe/Istanbul"),
    (Id::VA, "Europe/Vatican"),
    // Middle East and the Caucasus
    (Id::AE, "Asia/Dubai"),
    (Id::AM, "Asia/Yerevan"),
    (Id::AZ, "Asia/Baku"),
    (Id::BH, "Asia/Bahrain"),
    (Id::GE, "Asia/Tbilisi"),
    (Id::IL, "Asia/Jerusalem"),
    (Id::IQ, "Asia/Baghdad"),
    (Id::IR, "Asia/Tehran"),
    (Id::JO, "Asia/Amman"),
    (Id::KW, "Asia/Kuwait"),
    (Id::LB, "Asia/Beirut"),
    (Id::OM, "Asia/Muscat"),
    (Id::QA, "Asia/Qatar"),
    (Id::SA, "Asia/Riyadh"),
    // Asia
    (Id::AF, "Asia/Kabul"),
    (Id::BD, "Asia/Dhaka"),
    (Id::BN, "Asia/Brunei"),
    (Id::BT, "Asia/Thimphu"),
    (Id::HK, "Asia/Hong_Kong"),
    (Id::IN, "Asia/Kolkata"),
    (Id::JP, "Asia/Tokyo"),
    (Id::KG, "Asia/Bishkek"),
    (Id::KH, "Asia/Phnom_Penh"),
    (Id::KR, "Asia/Seoul"),
    (Id::LA, "Asia/Vientiane"),
    (Id::LK, "Asia/Colombo"),
    (Id::MM, "Asia/Yangon"),
    (Id::MO, "Asia/Macau"),
    (Id::MV, "Indian/Maldives"),
    (Id::MY, "Asia/Kuala_Lumpur"),
    (Id::NP, "Asia/Kathmandu"),
    (Id::PH, "Asia/Manila"),
    (Id::PK, "Asia/Karachi"),
    (Id::SG, "Asia/Singapore"),
    (Id::TH, "Asia/Bangkok"),
    (Id::TJ, "Asia/Dushanbe"),
    (Id::TM, "Asia/Ashgabat"),
    (Id::TW, "Asia/Taipei"),
    (Id::UZ, "Asia/Tashkent"),
    (Id::VN, "Asia/Ho_Chi_Minh"),
    // Oceania (New Zealand's Chatham Islands are told apart by prefix)
    (Id::FJ, "Pacific/Fiji"),
    (Id::NZ, "Pacific/Auckland"),
    // Africa
    (Id::AO, "Africa/Luanda"),
    (Id::BW, "Africa/Gaborone"),
    (Id::CI, "Africa/Abidjan"),
    (Id::CM, "Africa/Douala"),
    (Id::DZ, "Africa/Algiers"),
    (Id::EG, "Africa/Cairo"),
    (Id::EH, "Africa/El_Aaiun"),
    (Id::ET, "Africa/Addis_Ababa"),
    (Id::GH, "Africa/Accra"),
    (Id::KE, "Africa/Nairobi"),
    (Id::LY, "Africa/Tripoli"),
    (Id::MA, "Africa/Casablanca"),
    (Id::MZ, "Africa/Maputo"),
    (Id::NA, "Africa/Windhoek"),
    (Id::NG, "Africa/Lagos"),
    (Id::RW, "Africa/Kigali"),
    (Id::SD, "Africa/Khartoum"),
    (Id::SN, "Africa/Dakar"),
    (Id::TN, "Africa/Tunis"),
    (Id::TZ, "Africa/Dar_es_Salaam"),
    (Id::UG, "Africa/Kampala"),
    (Id::ZA, "Africa/Johannesburg"),
    (Id::ZM, "Africa/Lusaka"),
    (Id::ZW, "Africa/Harare"),
    // Latin America outside +1
    (Id::AR, "America/Argentina/Buenos_Aires"),
    (Id::BO, "America/La_Paz"),
    (Id::BZ, "America/Belize"),
    (Id::CO, "America/Bogota"),
    (Id::CR, "America/Costa_Rica"),
    (Id::CU, "America/Havana"),
    (Id::GT, "America/Guatemala"),
    (Id::GY, "America/Guyana"),
    (Id::HN, "America/Tegucigalpa"),
    (Id::HT, "America/Port-au-Prince"),
    (Id::NI, "America/Managua"),
    (Id::PA, "America/Panama"),
    (Id::PE, "America/Lima"),
    (Id::PY, "America/Asuncion"),
    (Id::SR, "America/Paramaribo"),
    (Id::SV, "America/El_Salvador"),
    (Id::UY, "America/Montevideo"),
    (Id::VE, "America/Caracas"),
];

/// NANP area codes whose whole territory keeps one clock, grouped by zone.
///
/// Left out because they cover two clocks: 208 and 986 (Idaho), 219 and 574 (northern
/// Indiana), 812 and 930 (southern Indiana), 270, 364 and 606 (Kentucky), 423
/// (Tennessee), 850 and 448 (Florida panhandle), 906 (Michigan's Upper Peninsula), 308
/// (Nebraska), 605 (South Dakota), 701 (North Dakota), 620 and 785 (western Kansas), 541
/// and 458 (Oregon), 775 (Nevada, West Wendover), 928 (Arizona, the Navajo Nation keeps
/// DST), 907 (Alaska, the western Aleutians keep Hawaii-Aleutian time), 306, 639 and 474
/// (Saskatchewan, Lloydminster keeps Alberta time), 250, 778, 236 and 672 (British
/// Columbia's interior keeps Mountain time), 807 (north-western Ontario), 418, 581 and
/// 367 (eastern Quebec: the Magdalen Islands and the Lower North Shore keep Atlantic
/// time), 709 (Newfoundland and Labrador) and 867 (the territories). Also left out where
/// a town keeps a neighbour's clock or the boundary was not certain enough: 334
/// (Phenix City, Alabama, keeps Eastern time), 580 (Oklahoma's panhandle), 915 and 432
/// (west Texas). Codes not listed at all (toll-free, new overlays) get no zone either.
pub(super) const NANP: &[(&str, &[u16])] = &[
    (
        "America/New_York",
        &[
            203, 475, 860, 959, // Connecticut
            202, 771, // District of Columbia
            302, // Delaware
            239, 305, 321, 352, 386, 407, 561, 689, 727, 754, 772, 786, 813, 863, 904, 941, 954, // Florida
            229, 404, 470, 478, 678, 706, 762, 770, 912, // Georgia
            859, // Kentucky (Lexington)
            339, 351, 413, 508, 617, 774, 781, 857, 978, // Massachusetts
            240, 301, 410, 443, 667, // Maryland
            207, // Maine
            252, 336, 704, 743, 828, 910, 919, 980, 984, // North Carolina
            603, // New Hampshire
            201, 551, 609, 640, 732, 848, 856, 862, 908, 973, // New Jersey
            212, 315, 332, 347, 516, 518, 585, 607, 631, 646, 680, 716, 718, 838, 845, 914, 917, 929,
            934, // New York
            216, 220, 234, 330, 380, 419, 440, 513, 567, 614, 740, 937, // Ohio
            215, 223, 267, 272, 412, 445, 484, 570, 610, 717, 724, 814, 878, // Pennsylvania
            401, // Rhode Island
            803, 839, 843, 854, 864, // South Carolina
            865, // Tennessee (Knoxville)
            276, 434, 540, 571, 703, 757, 804, // Virginia
            802, // Vermont
            304, 681, // West Virginia
        ],
    ),
    ("America/Kentucky/Louisville", &[502]),
    ("America/Detroit", &[231, 248, 269, 313, 517, 586, 616, 734, 810, 947, 989]),
    ("America/Indiana/Indianapolis", &[260, 317, 463, 765]),
    (
        "America/Chicago",
        &[
            205, 251, 256, 659, 938, // Alabama
            479, 501, 870, // Arkansas
            319, 515, 563, 641, 712, // Iowa
            217, 224, 309, 312, 331, 618, 630, 708, 773, 779, 815, 847, 872, // Illinois
            316, 913, // Kansas
            225, 318, 337, 504, 985, // Louisiana
            218, 320, 507, 612, 651, 763, 952, // Minnesota
            314, 417, 573, 636, 660, 816, // Missouri
            228, 601, 662, 769, // Mississippi
            402, 531, // Nebraska (east)
            405, 539, 918, // Oklahoma
            615, 629, 731, 901, 931, // Tennessee
            210, 214, 254, 281, 325, 346, 361, 409, 430, 469, 512, 682, 713, 726, 737, 806, 817, 830, 832, 903, 936,
            940, 945, 956, 972, 979, // Texas
            262, 414, 534, 608, 715, 920, // Wisconsin
        ],
    ),
    (
        "America/Denver",
        &[
            303, 719, 720, 970, 983, // Colorado
            406, // Montana
            505, 575, // New Mexico
            385, 435, 801, // Utah
            307, // Wyoming
        ],
    ),
    ("America/Phoenix", &[480, 520, 602, 623]),
    (
        "America/Los_Angeles",
        &[
            209, 213, 279, 310, 323, 341, 350, 408, 415, 424, 442, 510, 530, 559, 562, 619, 626, 628, 650, 657, 661,
            669, 707, 714, 747, 760, 805, 818, 820, 831, 840, 858, 909, 916, 925, 949, 951, // California
            702, 725, // Nevada (Las Vegas)
            503, 971, // Oregon (west)
            206, 253, 360, 425, 509, 564, // Washington
        ],
    ),
    ("Pacific/Honolulu", &[808]),
    // Canada
    (
        "America/Toronto",
        &[226, 249, 289, 343, 365, 416, 437, 519, 548, 613, 647, 705, 905, 438, 450, 514, 579, 819, 873],
    ),
    ("America/Winnipeg", &[204, 431, 584]),
    ("America/Edmonton", &[368, 403, 587, 780, 825]),
    ("America/Vancouver", &[604]),
    ("America/Halifax", &[782, 902]),
    ("America/Moncton", &[428, 506]),
    // Caribbean and the Pacific territories
    ("America/Puerto_Rico", &[787, 939]),
    ("America/St_Thomas", &[340]),
    ("America/Nassau", &[242]),
    ("America/Barbados", &[246]),
    ("America/Anguilla", &[264]),
    ("America/Antigua", &[268]),
    ("America/Tortola", &[284]),
    ("America/Cayman", &[345]),
    ("Atlantic/Bermuda", &[441]),
    ("America/Grenada", &[473]),
    ("America/Grand_Turk", &[649]),
    ("America/Jamaica", &[658, 876]),
    ("America/Montserrat", &[664]),
    ("America/Lower_Princes", &[721]),
    ("America/St_Lucia", &[758]),
    ("America/Dominica", &[767]),
    ("America/St_Vincent", &[784]),
    ("America/Santo_Domingo", &[809, 829, 849]),
    ("America/Port_of_Spain", &[868]),
    ("America/St_Kitts", &[869]),
    ("Pacific/Guam", &[671]),
    ("Pacific/Saipan", &[670]),
    ("Pacific/Pago_Pago", &[684]),
];

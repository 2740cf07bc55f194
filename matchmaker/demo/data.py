"""The demo trade mission, modelled on the CLUSME metacluster's visit to Bell Equipment."""

from datetime import date, time
from typing import Any

PASSWORD = "matchmaker-demo"

EVENT: dict[str, Any] = {
    "slug": "bell-equipment-mission",
    "name": "Finnish–Estonian mechatronics mission to Bell Equipment",
    "venue": "Bell Equipment, Richards Bay, KwaZulu-Natal, South Africa",
    "timezone": "Africa/Johannesburg",
    "description": (
        "Finnish and Estonian mechatronics SMEs visit Bell Equipment — the world's third "
        "largest manufacturer of articulated dump trucks — at its headquarters and plant in "
        "Richards Bay. Two days of twenty-minute business-to-business meetings with Bell's "
        "procurement, engineering, quality and aftermarket teams, and with each other.\n\n"
        "Bell needs high-value components for its South African plant and its European "
        "assembly plant in Eisenach, Germany: hydraulic cylinders, cabins, wheels and tyres, "
        "welded steel parts, industrial automation. The mission is organised by the CLUSME "
        "metacluster: the Advanced Mechatronics Cluster, the Quality Management Services "
        "Cluster and Tartu Science Park."
    ),
    "requires_approval": True,
    "max_meetings_per_participant": 14,
}

SESSIONS: list[dict[str, Any]] = [
    {
        "name": "Tuesday morning",
        "day": date(2027, 3, 9),
        "start_time": time(9, 0),
        "end_time": time(12, 30),
        "slot_minutes": 20,
        "pause_minutes": 5,
    },
    {
        "name": "Tuesday afternoon",
        "day": date(2027, 3, 9),
        "start_time": time(14, 0),
        "end_time": time(17, 0),
        "slot_minutes": 20,
        "pause_minutes": 5,
    },
    {
        "name": "Wednesday morning",
        "day": date(2027, 3, 10),
        "start_time": time(9, 0),
        "end_time": time(12, 30),
        "slot_minutes": 20,
        "pause_minutes": 5,
    },
]

TABLES = 12

PROGRAMME: list[dict[str, Any]] = [
    {
        "title": "Welcome seminar: Bell Equipment and its supplier programme",
        "day": date(2027, 3, 9),
        "start_time": time(8, 0),
        "end_time": time(8, 50),
        "place": "Bell Equipment auditorium",
        "attendance": "all",
        "description": (
            "Bell's procurement director presents the supplier programme and the Eisenach "
            "assembly plant's needs."
        ),
    },
    {
        "title": "Networking dinner",
        "day": date(2027, 3, 9),
        "start_time": time(19, 0),
        "end_time": time(22, 0),
        "place": "Protea Hotel Richards Bay",
        "attendance": "all",
        "description": "",
    },
    {
        "title": "Factory tour: articulated dump truck assembly line",
        "day": date(2027, 3, 10),
        "start_time": time(14, 0),
        "end_time": time(16, 30),
        "place": "Bell Equipment plant, Richards Bay",
        "attendance": "opt_in",
        "description": (
            "Guided tour of the ADT assembly line and the cabin and welding shops. "
            "Safety shoes provided."
        ),
    },
]

ORGANISERS = [
    {"name": "Kadri Tamm", "email": "kadri.tamm@tartu-sciencepark.example"},
    {"name": "Jukka Laine", "email": "jukka.laine@mechatronics-cluster.example"},
]

# (organisation, country, city, kind, size, sectors, representatives, offers, requests)
ORGANISATIONS = [
    (
        "Bell Equipment",
        "ZA",
        "Richards Bay",
        "large",
        "250+",
        ["earthmoving", "mining equipment", "articulated dump trucks"],
        [
            ("Thandi Nkosi", "Procurement manager"),
            ("Pieter van Wyk", "Head of engineering, ADT"),
            ("Lindiwe Dlamini", "Quality assurance manager"),
            ("Johan Botha", "Aftermarket and parts"),
            ("Sibusiso Mthembu", "Eisenach plant purchasing liaison"),
        ],
        [("Supplier programme for the Eisenach assembly plant", ["supply chain", "Germany"])],
        [
            (
                "Hydraulic cylinders for articulated dump trucks",
                ["hydraulic cylinders", "hydraulics"],
            ),
            ("Operator cabins (ROPS/FOPS)", ["cabins", "ROPS"]),
            ("Wheels and rims for 25–60 t trucks", ["wheels", "rims"]),
            ("Welded steel sub-assemblies", ["welding", "steel structures"]),
            ("Industrial automation for the welding shop", ["automation", "robotics"]),
        ],
    ),
    (
        "Executive Research Associates",
        "ZA",
        "Johannesburg",
        "sme",
        "10-49",
        ["market intelligence", "consulting"],
        [("Naledi Khumalo", "Director, corporate intelligence")],
        [
            (
                "Country reports and due diligence for Africa",
                ["market intelligence", "due diligence"],
            ),
            ("In-country assistance for market entry", ["market entry", "consulting"]),
        ],
        [],
    ),
    (
        "HydroCyl Oy",
        "FI",
        "Tampere",
        "sme",
        "50-249",
        ["hydraulics", "hydraulic cylinders"],
        [("Anna Virtanen", "Sales director"), ("Mikko Heikkinen", "Chief engineer")],
        [("Custom hydraulic cylinders up to 400 mm bore", ["hydraulic cylinders", "hydraulics"])],
        [("Distributor in southern Africa", ["distribution", "South Africa"])],
    ),
    (
        "Kabiini Works Oy",
        "FI",
        "Kurikka",
        "sme",
        "50-249",
        ["cabins", "steel structures"],
        [("Laura Mäkinen", "CEO")],
        [("ROPS/FOPS certified operator cabins", ["cabins", "ROPS"])],
        [("OEM customers for heavy machinery cabins", ["OEM", "earthmoving"])],
    ),
    (
        "Vanne Wheels Oy",
        "FI",
        "Seinäjoki",
        "sme",
        "10-49",
        ["wheels", "rims"],
        [("Timo Koskinen", "Export manager")],
        [("Heavy-duty wheels and rims for mining trucks", ["wheels", "rims", "mining equipment"])],
        [],
    ),
    (
        "Teräsrakenne Pohjola Oy",
        "FI",
        "Oulu",
        "sme",
        "50-249",
        ["welding", "steel structures"],
        [("Janne Lehtonen", "Sales manager"), ("Sanna Hämäläinen", "Welding engineer (IWE)")],
        [("Robot-welded steel sub-assemblies, EN 1090 EXC3", ["welding", "steel structures"])],
        [("Long-term subcontracting partner", ["subcontracting"])],
    ),
    (
        "Automaatio Nord Oy",
        "FI",
        "Vaasa",
        "sme",
        "10-49",
        ["automation", "robotics"],
        [("Petri Salonen", "Automation lead")],
        [("Welding and handling robot cells, turnkey", ["automation", "robotics", "welding"])],
        [("System integrator partners in South Africa", ["automation", "South Africa"])],
    ),
    (
        "Mittaus Laatu Oy",
        "FI",
        "Jyväskylä",
        "sme",
        "1-9",
        ["quality", "measurement"],
        [("Riikka Nieminen", "Metrology consultant")],
        [
            (
                "3D measurement and quality audits of welded parts",
                ["quality", "measurement", "welding"],
            )
        ],
        [],
    ),
    (
        "PowerDrive Components Oy",
        "FI",
        "Lahti",
        "sme",
        "50-249",
        ["drivetrain", "gearboxes"],
        [("Ville Järvinen", "Business development")],
        [("Planetary gearboxes and wheel hub drives", ["gearboxes", "drivetrain"])],
        [("Testing partner for hot climate", ["testing"])],
    ),
    (
        "SensoTech Finland Oy",
        "FI",
        "Oulu",
        "startup",
        "10-49",
        ["sensors", "telematics"],
        [("Elina Korhonen", "CTO")],
        [("Wireless load and wear sensors for dump bodies", ["sensors", "telematics", "IoT"])],
        [("Pilot customer in mining", ["mining equipment", "pilot"])],
    ),
    (
        "Hydrauliikka Itä Oy",
        "FI",
        "Kuopio",
        "sme",
        "10-49",
        ["hydraulics", "valves"],
        [("Antti Rantanen", "Managing director")],
        [("Hydraulic valve blocks and manifolds", ["hydraulics", "valves"])],
        [("Hydraulic cylinders supplier", ["hydraulic cylinders"])],
    ),
    (
        "Cab Interior Solutions Oy",
        "FI",
        "Salo",
        "sme",
        "10-49",
        ["cabins", "interiors"],
        [("Heidi Lindholm", "Key account manager")],
        [("Cab interiors: seats, HVAC panels, noise insulation", ["cabins", "interiors", "HVAC"])],
        [],
    ),
    (
        "Nordic Coatings Oy",
        "FI",
        "Turku",
        "sme",
        "10-49",
        ["surface treatment", "painting"],
        [("Marko Aaltonen", "Sales manager")],
        [("Powder coating and C5 corrosion protection", ["surface treatment", "coating"])],
        [],
    ),
    (
        "LaserCut Finland Oy",
        "FI",
        "Lappeenranta",
        "sme",
        "50-249",
        ["sheet metal", "laser cutting"],
        [("Tuomas Peltonen", "Production manager")],
        [("Laser-cut and bent wear-resistant steel parts", ["sheet metal", "steel structures"])],
        [("Wear-resistant steel supplier", ["steel"])],
    ),
    (
        "Arctic Test Center Oy",
        "FI",
        "Rovaniemi",
        "research",
        "10-49",
        ["testing", "research"],
        [("Kari Mattila", "Head of testing")],
        [("Cold and durability testing of vehicles and components", ["testing", "research"])],
        [],
    ),
    (
        "Hüdrosilinder OÜ",
        "EE",
        "Tartu",
        "sme",
        "50-249",
        ["hydraulics", "hydraulic cylinders"],
        [("Marten Kask", "CEO"), ("Liis Saar", "Sales engineer")],
        [
            (
                "Hydraulic cylinders for forestry and earthmoving machines",
                ["hydraulic cylinders", "hydraulics"],
            )
        ],
        [("OEM contracts outside the EU", ["OEM", "export"])],
    ),
    (
        "Kabiinitehas AS",
        "EE",
        "Pärnu",
        "sme",
        "50-249",
        ["cabins", "steel structures"],
        [("Andres Mägi", "Export director")],
        [("Operator cabins for forestry and mining machines", ["cabins", "ROPS"])],
        [],
    ),
    (
        "Keevitus ja Metall OÜ",
        "EE",
        "Tallinn",
        "sme",
        "50-249",
        ["welding", "steel structures"],
        [("Rein Kuusk", "Managing director"), ("Kristi Ilves", "Quality manager")],
        [("Welded frames and booms, ISO 3834-2", ["welding", "steel structures"])],
        [("Automation of the welding line", ["automation", "robotics", "welding"])],
    ),
    (
        "Balti Automaatika AS",
        "EE",
        "Tallinn",
        "sme",
        "10-49",
        ["automation", "PLC"],
        [("Indrek Rebane", "Project manager")],
        [("PLC and SCADA for production lines", ["automation", "PLC"])],
        [],
    ),
    (
        "Tartu Precision OÜ",
        "EE",
        "Tartu",
        "sme",
        "10-49",
        ["machining", "CNC"],
        [("Kaido Lepik", "CEO")],
        [
            (
                "CNC machining of hydraulic and drivetrain parts",
                ["machining", "hydraulics", "drivetrain"],
            )
        ],
        [("Large machining customers", ["OEM"])],
    ),
    (
        "Estonian Quality Services OÜ",
        "EE",
        "Tallinn",
        "sme",
        "1-9",
        ["quality", "certification"],
        [("Maarja Tamm", "Lead auditor")],
        [("Supplier audits, ISO 9001 and EN 1090 consulting", ["quality", "certification"])],
        [],
    ),
    (
        "Rehv ja Velg OÜ",
        "EE",
        "Rakvere",
        "sme",
        "10-49",
        ["wheels", "rims"],
        [("Tõnu Org", "Sales manager")],
        [("Wheel refurbishment and rim repair", ["wheels", "rims", "aftermarket"])],
        [("Aftermarket partners", ["aftermarket"])],
    ),
    (
        "Mechatronic Solutions OÜ",
        "EE",
        "Tartu",
        "startup",
        "1-9",
        ["electronics", "control systems"],
        [("Kertu Laur", "Founder")],
        [
            (
                "Embedded control units for hydraulic functions",
                ["control systems", "electronics", "hydraulics"],
            )
        ],
        [("Co-development partner (OEM)", ["OEM", "research"])],
    ),
    (
        "Forest & Mining Parts AS",
        "EE",
        "Viljandi",
        "sme",
        "50-249",
        ["spare parts", "aftermarket"],
        [("Priit Sepp", "Purchasing manager")],
        [("Spare parts logistics for heavy machinery", ["aftermarket", "spare parts"])],
        [
            (
                "Spare parts for Bell articulated dump trucks",
                ["aftermarket", "articulated dump trucks"],
            )
        ],
    ),
    (
        "Laser ja Painutus OÜ",
        "EE",
        "Narva",
        "sme",
        "10-49",
        ["sheet metal", "laser cutting"],
        [("Sergei Ivanov", "Sales manager")],
        [("Sheet metal parts and enclosures", ["sheet metal"])],
        [],
    ),
    (
        "EstCoat AS",
        "EE",
        "Tallinn",
        "sme",
        "10-49",
        ["surface treatment", "painting"],
        [("Helen Rätsep", "Key account manager")],
        [("Wet and powder painting of large parts", ["surface treatment", "coating"])],
        [],
    ),
    (
        "GreenHydraulics OÜ",
        "EE",
        "Tallinn",
        "startup",
        "1-9",
        ["hydraulics", "cleantech"],
        [("Martin Luik", "CEO")],
        [
            (
                "Biodegradable hydraulic fluids and electro-hydraulic retrofits",
                ["hydraulics", "cleantech"],
            )
        ],
        [("Mining customers for pilot", ["mining equipment", "pilot"])],
    ),
    (
        "Tartu Science Park",
        "EE",
        "Tartu",
        "cluster",
        "10-49",
        ["cluster", "business support"],
        [("Rene Tõnisson", "Cluster manager")],
        [("Cluster services: matchmaking, internationalisation", ["cluster", "business support"])],
        [],
    ),
    (
        "Advanced Mechatronics Cluster",
        "FI",
        "Seinäjoki",
        "cluster",
        "1-9",
        ["cluster", "mechatronics"],
        [("Jaana Salmi", "Cluster coordinator")],
        [("Access to 60 Finnish mechatronics SMEs", ["cluster", "mechatronics"])],
        [],
    ),
    (
        "University of Tartu, Institute of Technology",
        "EE",
        "Tartu",
        "research",
        "250+",
        ["research", "robotics"],
        [("Prof. Alvo Aabloo", "Research partner liaison")],
        [("Applied research in robotics and materials", ["research", "robotics"])],
        [("Industrial research partners", ["research"])],
    ),
    (
        "Seinäjoki University of Applied Sciences",
        "FI",
        "Seinäjoki",
        "research",
        "250+",
        ["research", "education"],
        [("Minna Koivisto", "RDI manager")],
        [("Welding and automation training programmes", ["education", "welding", "automation"])],
        [],
    ),
    (
        "Hydramech SA (Pty) Ltd",
        "ZA",
        "Durban",
        "sme",
        "50-249",
        ["hydraulics", "distribution"],
        [("Bongani Zulu", "Managing director")],
        [
            (
                "Hydraulics distribution across southern Africa",
                ["distribution", "hydraulics", "South Africa"],
            )
        ],
        [("European hydraulic cylinder brands", ["hydraulic cylinders", "hydraulics"])],
    ),
    (
        "Richards Bay Engineering Works",
        "ZA",
        "Richards Bay",
        "sme",
        "50-249",
        ["welding", "machining"],
        [("Ayanda Ndlovu", "Operations director")],
        [("Local machining and welding capacity", ["welding", "machining"])],
        [("Robot welding technology", ["automation", "robotics", "welding"])],
    ),
    (
        "Eisenach Logistik GmbH",
        "DE",
        "Eisenach",
        "sme",
        "10-49",
        ["logistics"],
        [("Katrin Weber", "Account manager")],
        [("Inbound logistics to the Eisenach plant", ["logistics", "Germany"])],
        [],
    ),
]

# Second sentences of the demo bios, picked per person.
BIO_LINES = [
    "Twenty years in heavy machinery supply chains; happy to talk volumes and lead times.",
    "Leads the export team and visits customers on three continents every year.",
    "Engineer by training; likes to start with the drawing and end with the contract.",
    "Built the company's quality system from ISO 9001 to EN 1090 EXC3.",
    "Looking for long-term partners rather than one-off orders.",
    "Speaks with OEMs about co-development, from prototype to series production.",
    "Responsible for new markets in Africa and the Middle East.",
]

LANGUAGES = {
    "ZA": "English, Afrikaans, isiZulu",
    "FI": "Finnish, English, Swedish",
    "EE": "Estonian, English, Russian",
    "DE": "German, English",
}

# Organisations exhibiting at a fixed table ("meet me at Table 11").
STANDS = {"Kabiini Works Oy": "Table 11", "Vanne Wheels Oy": "Table 12"}

DESCRIPTIONS = {
    "Hydraulic cylinders for articulated dump trucks": (
        "Tipping, steering and suspension cylinders for the B25E–B60E range, about 6,000 "
        "cylinders a year for Richards Bay and Eisenach. We look for suppliers with chrome "
        "plating in house, 400 h salt-spray resistance and delivery to both plants."
    ),
    "Operator cabins (ROPS/FOPS)": (
        "Complete ROPS/FOPS-certified cabins (ISO 3471 / ISO 3449) with HVAC, glazing and "
        "wiring looms, delivered painted and tested. Around 1,500 cabins a year."
    ),
    "Wheels and rims for 25–60 t trucks": (
        "Multi-piece earthmover rims 25 to 35 inch, and wheel assemblies for the Eisenach "
        "line. Quality records per batch; local stock in Gauteng appreciated."
    ),
    "Welded steel sub-assemblies": (
        "Front and rear chassis parts, dump body sub-assemblies and brackets in wear-resistant "
        "steel. EN 1090 / ISO 3834-2 certification and robot welding expected."
    ),
    "Industrial automation for the welding shop": (
        "Robot welding cells and handling automation for the Richards Bay welding shop, "
        "with local service. Turnkey projects or integration partners."
    ),
    "Custom hydraulic cylinders up to 400 mm bore": (
        "Single- and double-acting cylinders, 40–400 mm bore, strokes up to 6 m. Own chrome "
        "plating and testing; 30 years of supply to Nordic forestry and mining OEMs."
    ),
    "ROPS/FOPS certified operator cabins": (
        "Cabins designed and certified in house, ROPS/FOPS tested at our own rig, with a "
        "capacity of 4,000 cabins a year for earthmoving and mining machines."
    ),
    "Heavy-duty wheels and rims for mining trucks": (
        "Earthmover rims and wheel assemblies up to 51 inch, designed with FEM and tested for "
        "fatigue. Export to 25 countries."
    ),
    "Robot-welded steel sub-assemblies, EN 1090 EXC3": (
        "Fourteen welding robots, parts up to 12 t, machining after welding, and painting "
        "through partners. Frames, booms and dump bodies for OEMs."
    ),
    "Welding and handling robot cells, turnkey": (
        "Design, build and commissioning of robot cells with offline programming and "
        "remote support. Reference cells at three Nordic OEMs."
    ),
    "Wireless load and wear sensors for dump bodies": (
        "Battery-powered sensors measure payload and liner wear; data to the fleet system "
        "over LoRaWAN or the truck's CAN bus. Looking for a pilot in 2027."
    ),
}

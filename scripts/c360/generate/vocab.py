"""Static vocabularies: nicknames, spelling variants, formats and free text.

Nothing here is random; the generator samples from these tables with numpy.
"""

from __future__ import annotations

COUNTRIES = ("US", "GB", "DE")
COUNTRY_WEIGHTS = (0.60, 0.25, 0.15)
CURRENCIES = ("USD", "GBP", "EUR")
# Price multiplier from the USD list price to the local currency.
FX = (1.0, 0.80, 0.93)
COUNTRY_VARIANTS = (
    ("US", "USA", "United States", "us"),
    ("GB", "UK", "United Kingdom", "Great Britain"),
    ("DE", "Germany", "Deutschland", "de"),
)
LOCALES = ("en_US", "en_GB", "de_DE")

NICKNAMES: dict[str, tuple[str, ...]] = {
    "Robert": ("Bob", "Rob", "Bobby"), "William": ("Bill", "Will", "Billy"), "Elizabeth": ("Liz", "Beth", "Lizzie"),
    "Katherine": ("Kate", "Kathy"), "Catherine": ("Cathy", "Kate"), "Michael": ("Mike", "Mikey"),
    "James": ("Jim", "Jimmy", "Jamie"), "Jennifer": ("Jen", "Jenny"), "Margaret": ("Maggie", "Peggy", "Meg"),
    "Richard": ("Rick", "Rich", "Dick"), "Thomas": ("Tom", "Tommy"), "Christopher": ("Chris", "Topher"),
    "Daniel": ("Dan", "Danny"), "Joseph": ("Joe", "Joey"), "Anthony": ("Tony",), "Alexander": ("Alex", "Xander"),
    "Matthew": ("Matt",), "Andrew": ("Andy", "Drew"), "Stephen": ("Steve",), "Steven": ("Steve",),
    "Patricia": ("Pat", "Patty", "Trish"), "Susan": ("Sue", "Susie"), "Jessica": ("Jess", "Jessie"),
    "Samantha": ("Sam", "Sammy"), "Benjamin": ("Ben", "Benny"), "Nicholas": ("Nick", "Nicky"),
    "Jonathan": ("Jon", "Johnny"), "Timothy": ("Tim", "Timmy"), "Edward": ("Ed", "Eddie", "Ted"),
    "Charles": ("Charlie", "Chuck"), "David": ("Dave",), "Gregory": ("Greg",), "Jeffrey": ("Jeff",),
    "Kenneth": ("Ken", "Kenny"), "Ronald": ("Ron", "Ronnie"), "Donald": ("Don", "Donny"), "Raymond": ("Ray",),
    "Lawrence": ("Larry",), "Samuel": ("Sam", "Sammy"), "Zachary": ("Zach",), "Rebecca": ("Becky", "Becca"),
    "Deborah": ("Debbie", "Deb"), "Kimberly": ("Kim",), "Victoria": ("Vicky", "Tori"), "Christina": ("Tina", "Chris"),
    "Christine": ("Chris", "Chrissy"), "Pamela": ("Pam",), "Cynthia": ("Cindy",), "Amanda": ("Mandy",),
    "Abigail": ("Abby",), "Alexandra": ("Alex", "Sasha"), "Nathaniel": ("Nate", "Nat"), "Nathan": ("Nate",),
    "Frederick": ("Fred", "Freddie"), "Theodore": ("Ted", "Teddy"), "Philip": ("Phil",), "Peter": ("Pete",),
    "Douglas": ("Doug",), "Jacqueline": ("Jackie",), "Judith": ("Judy",), "Barbara": ("Barb", "Babs"),
    "Melissa": ("Mel", "Missy"), "Michelle": ("Shelly",), "Stephanie": ("Steph",), "Angela": ("Angie",),
    "Joshua": ("Josh",), "Johannes": ("Hannes", "Jo"), "Katharina": ("Kathi", "Katja"), "Maximilian": ("Max",),
    "Christian": ("Chris",), "Sebastian": ("Basti",), "Andreas": ("Andi",), "Matthias": ("Matze", "Matti"),
    "Elisabeth": ("Lisa", "Elli"), "Susanne": ("Susi",), "Gabriele": ("Gabi",), "Franziska": ("Franzi",),
    "Tobias": ("Tobi",), "Florian": ("Flo",), "Nikolaus": ("Niko", "Klaus"), "Wolfgang": ("Wolf",),
    "Dominik": ("Dome",), "Stefanie": ("Steffi",), "Johanna": ("Hanna",), "Friedrich": ("Fritz",),
}

TRANSLITERATION = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}

EMAIL_DOMAINS = (
    ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "aol.com", "comcast.net"),
    ("gmail.com", "hotmail.co.uk", "btinternet.com", "yahoo.co.uk", "outlook.com", "sky.com", "icloud.com"),
    ("gmx.de", "web.de", "t-online.de", "gmail.com", "outlook.de", "posteo.de", "freenet.de"),
)
COMPANY_SUFFIXES = (
    ("LLC", "Inc.", "Group", "Partners", "& Co", "Labs"),
    ("Ltd", "plc", "Group", "& Sons", "Partners", "Consulting"),
    ("GmbH", "AG", "KG", "& Co. KG", "Gruppe", "Beratung"),
)
COMPANY_TLDS = (".com", ".co.uk", ".de")
INDUSTRIES = (
    "hospitality", "construction", "education", "healthcare", "professional_services", "retail",
    "real_estate", "technology", "facilities_management", "food_service",
)
JOB_TITLES = (
    "Office Manager", "Purchasing Manager", "Facilities Coordinator", "Owner", "Operations Director",
    "Procurement Lead", "Head of Workplace", "Buyer", "Managing Director", "Executive Assistant",
)

# Placeholder / role identifiers that a later identity step must block.
JUNK_EMAILS = ("noemail@example.com", "none@none.com", "test@test.com", "no@email.com", "na@na.com")
ROLE_EMAIL_LOCALS = ("info", "office", "contact", "admin")
JUNK_PHONES = ("0000000000", "1234567890", "555-555-5555", "9999999999", "+1 000 000 0000")

US_AREA_CODES = (
    "212", "646", "718", "917", "312", "773", "415", "510", "408", "617", "713", "281", "202", "305", "206",
    "303", "404", "512", "503", "612", "215", "214", "469", "619", "615", "702", "602", "480", "818", "720",
)
# (area code, subscriber digits after the area code)
GB_AREA_CODES = (("20", 8), ("161", 7), ("121", 7), ("113", 7), ("141", 7), ("131", 7), ("117", 7), ("151", 7))
DE_AREA_CODES = (("30", 7), ("40", 7), ("89", 7), ("221", 7), ("69", 7), ("711", 7), ("211", 7), ("341", 7))

STREET_SUFFIXES = ("Street", "Avenue", "Road", "Drive", "Lane", "Way", "Court", "Place")
# (regular expression, replacement variants) applied as address noise.
STREET_ABBREVIATIONS = (
    (r"\bStreet\b", ("St.", "St", "street")),
    (r"\bAvenue\b", ("Ave", "Ave.", "Av.")),
    (r"\bRoad\b", ("Rd", "Rd.")),
    (r"\bDrive\b", ("Dr", "Dr.")),
    (r"\bLane\b", ("Ln", "Ln.")),
    (r"\bCourt\b", ("Ct", "Ct.")),
    (r"straße\b", ("str.", "strasse", "str")),
    (r"Straße\b", ("Str.", "Strasse")),
)

# Text fragments: index 0 = negative, 1 = neutral, 2 = positive tone.
TICKET_CATEGORIES = ("order_issue", "delivery", "returns", "billing", "product_defect", "account", "subscription")
TICKET_SUBJECTS = {
    "order_issue": ("Problem with my order", "Order shows wrong items", "Can I change my order?"),
    "delivery": ("Where is my parcel?", "Delivery is late", "Missing delivery"),
    "returns": ("Return request", "How do I return an item?", "Refund not received"),
    "billing": ("Charged twice", "Question about my invoice", "Payment failed"),
    "product_defect": ("Item arrived broken", "Product stopped working", "Defective product"),
    "account": ("Cannot log in", "Update my details", "Password reset not working"),
    "subscription": ("Cancel my membership", "Change my refill plan", "Subscription renewal question"),
}
CUSTOMER_OPENERS = (
    ("This is unacceptable.", "I am really frustrated.", "Honestly, this is the third time.",
     "I'm very disappointed with Alder & Pine.", "Nobody has answered me yet."),
    ("Hello,", "Hi there,", "Good morning,", "Hi,", "Hello team,"),
    ("Hi, hope you're well!", "Hello, thanks for the quick help last time.", "Hi there, love your products.",
     "Hello, small question.", "Hi, thanks in advance!"),
)
CUSTOMER_BODIES = (
    ("My order still has not arrived and nobody can tell me why.", "The product broke after two weeks.",
     "I was charged again even though I cancelled.", "Your app keeps logging me out and I lost my cart.",
     "I want a refund, not another voucher.", "The replacement is also damaged."),
    ("Could you check the status of my order?", "I would like to update my delivery address.",
     "Can you tell me when the item will be back in stock?", "I have a question about my last invoice.",
     "Please help me reset my password.", "I'd like to change my plan."),
    ("Just wanted to confirm my delivery date.", "Could I add a gift note to my order?",
     "Can I swap the colour of the item I ordered?", "How do I register my warranty?",
     "Is there a refill for the filter I bought?", "Can I move my membership renewal date?"),
)
CUSTOMER_CLOSINGS = (
    ("I expect an answer today.", "Otherwise I will cancel everything.", "Very poor service.",
     "I'm considering taking my business elsewhere."),
    ("Thanks.", "Regards.", "Thank you.", "Best."),
    ("Thanks so much!", "Cheers!", "Really appreciate it.", "Have a great day!"),
)
AGENT_REPLIES = (
    "Thank you for reaching out. I have looked into this for you.",
    "I'm sorry for the inconvenience. I've escalated this to our logistics team.",
    "Thanks for your patience. A replacement has been arranged.",
    "I've issued a refund to your original payment method.",
    "Your account details have been updated as requested.",
    "Could you please send us a photo of the item and your order number?",
    "I've applied a courtesy credit to your account.",
)
SURVEY_COMMENTS = (
    ("Terrible experience, will not order again.", "Support never solved my issue.",
     "Too expensive for the quality.", "Delivery was late and nobody cared.",
     "Cancelled my membership, not worth it.", "The app is buggy and slow."),
    ("It was okay.", "Delivery took a while but fine.", "Average service.", "Products are fine, prices high.",
     "Nothing special.", "Website could be easier."),
    ("Great products and fast delivery!", "Love the Pine Club perks.", "Support was super helpful.",
     "Best coffee subscription I've had.", "Always a pleasure to shop here.", "Quality is excellent."),
)
SOCIAL_TEXTS = (
    ("Never ordering from {brand} again. Still waiting for a refund.", "{brand} customer service is a joke.",
     "Third broken item from {brand} this year. Done.", "Cancelled my {brand} membership today. Not worth it.",
     "Why does {brand} keep charging me after I cancelled?"),
    ("Anyone tried the new {brand} cookware?", "Picked up a few things at {brand} today.",
     "Is the {brand} sale on this weekend?", "{brand} delivery window says 3-5 days, we'll see.",
     "Comparing {brand} and others for a new coffee machine."),
    ("Absolutely love my new lamp from {brand}!", "{brand} support sorted my issue in minutes. Impressed.",
     "The {brand} coffee refill plan is a game changer.", "Great find at {brand} today, quality is top notch.",
     "Shout out to the {brand} store team, so helpful!"),
)
CLAIM_DESCRIPTIONS = {
    "warranty": ("Device stopped powering on.", "Motor makes grinding noise.", "Screen flickers constantly.",
                 "Handle cracked during normal use.", "Seam came apart after a month."),
    "insurance": ("Accidental drop damaged the screen.", "Liquid spilled on the device.",
                  "Item stolen from car.", "Cracked during house move.", "Damaged in a power surge."),
}

PARTNERS = ("HomeHub Marketplace", "Northway Retail", "KaufNetz Online", "BritBuy", "Trailhead Outfitters")
LEAD_SOURCES = ("web_form", "event", "referral", "partner", "paid_social")
SOCIAL_PLATFORMS = ("x", "instagram", "facebook", "tiktok", "reviews")
COMPETITORS = ("Brightmart", "Coastline Goods")
BRAND = "Alder & Pine"
LANDING_PAGES = ("/", "/sale", "/c/kitchen", "/c/outdoor", "/c/home", "/c/electronics", "/c/apparel",
                 "/pine-club", "/account", "/search")
UTM = (("google", "cpc"), ("newsletter", "email"), ("facebook", "paid_social"), ("instagram", "social"),
       ("partner", "referral"))
WEB_PAGES = ("home", "category", "product_detail", "cart", "checkout", "account", "order_history", "help")
APP_SCREENS = ("Home", "Browse", "ProductDetail", "Cart", "Checkout", "Profile", "Orders", "ClubPerks")
FEATURES = ("scan_barcode", "store_locator", "wishlist_add", "refill_reminder", "club_card", "order_tracking")
SEARCH_TERMS = ("coffee", "filters", "tent", "lamp", "headphones", "jacket", "pan", "kettle", "rug", "grinder")
CONSENT_SOURCES = ("web", "app", "pos", "crm", "marketing")
PAYMENT_FAILURES = ("insufficient_funds", "card_expired", "card_declined", "processing_error")

"""Writes the DRAFT outreach.po catalogues (emails and letters) for bn, so, ar. Run once; then a
qualified translator edits the .po files directly and `pybabel compile -D outreach` builds them."""
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from voice_service.messaging import outreach_texts as t

DRAFTS = {
    "bn": {
        t.SUBJECTS["invite"]: "%(service)s থেকে একটি বার্তা",
        t.SUBJECTS["reminder"]: "%(service)s থেকে একটি মনে করিয়ে দেওয়া",
        t.SUBJECTS["you_said_we_did"]: "%(service)s থেকে একটি আপডেট",
        t.OPENING: "হ্যালো %(name)s,",
        t.BODIES["invite"]: "এটি %(service)s। আমরা আপনার মতামত শুনতে চাই। এটি আপনার ইচ্ছা, এবং আপনি যেকোনো প্রশ্ন বাদ দিতে পারেন।",
        t.BODIES["eos_invite"]: "এটি %(service)s। আপনার সাথে আমাদের কাজ কেমন ছিল তা আমরা জানতে চাই, যাতে আমরা আরও ভালো করতে পারি।",
        t.BODIES["reminder"]: "এটি %(service)s। আপনার মতামত দেওয়ার এখনও সময় আছে।",
        t.BODIES["you_said_we_did"]: "এটি %(service)s। আপনার মতামত দেওয়ার জন্য ধন্যবাদ। কী সিদ্ধান্ত হয়েছে এবং এরপর কী হবে তা আপনি দেখতে পারেন।",
        t.LINK_LINE: "আপনার ব্যক্তিগত লিংক খুলুন:",
        t.LINK_PRIVATE: "এই লিংকটি শুধু আপনার জন্য। দয়া করে এটি কাউকে দেবেন না।",
        t.CALL_US: "আপনার কোনো প্রশ্ন থাকলে, বা উত্তর দিতে সাহায্য চাইলে, %(phone)s নম্বরে ফোন করুন।",
        t.NO_REPLY: "দয়া করে এই ইমেইলের উত্তর দেবেন না।",
        t.LETTER_TITLE: "আমরা আপনার মতামত শুনতে চাই",
        t.LETTER_DEAR: "প্রিয় %(name)s,",
        t.LETTER_WHY: "%(date)s তারিখের একটি মিটিংয়ের আগে %(council)s আপনার মতামত শুনতে চায়।",
        t.LETTER_WHY_EOS: "আপনার সাথে আমাদের কাজ কেমন ছিল তা %(council)s জানতে চায়, যাতে আমরা আরও ভালো করতে পারি।",
        t.LETTER_HOW: "আপনি ফোন, ট্যাবলেট বা কম্পিউটারে উত্তর দিতে পারেন। আপনার ফোনের ক্যামেরা দিয়ে চৌকো কোডটি স্ক্যান করুন, অথবা এই ঠিকানাটি একটি ওয়েব ব্রাউজারে লিখুন:",
        t.LETTER_CHOICE: "এটি আপনার ইচ্ছা। আপনি যেকোনো প্রশ্ন বাদ দিতে পারেন, এবং এতে প্রায় ১০ মিনিট লাগে।",
        t.LETTER_HELP: "উত্তর দিতে সাহায্য চাইলে, বা কারও সাথে কথা বলতে চাইলে, %(phone)s নম্বরে ফোন করুন।",
        t.LETTER_KEEP: "এই ঠিকানাটি শুধু আপনার জন্য। দয়া করে এই চিঠিটি নিরাপদে রাখুন।",
        t.LETTER_SIGN: "শুভেচ্ছা সহ,",
        t.QR_ALT: "ফোনের ক্যামেরা দিয়ে স্ক্যান করার একটি চৌকো কোড। এটি আপনার ব্যক্তিগত লিংক খোলে।",
        t.DRAFT_NOTE: "এটি একটি খসড়া অনুবাদ, একজন যোগ্য অনুবাদকের পর্যালোচনার অপেক্ষায়।",
        t.EASY_TITLE: "তুমি কী ভাবো আমরা জানতে চাই",
        t.EASY_HELLO: "হ্যালো %(name)s",
        t.EASY_LINES[0]: "শিগগিরই তোমাকে নিয়ে একটি মিটিং আছে।",
        t.EASY_LINES[1]: "তুমি কী ভাবো তা আমাদের বলতে পারো।",
        t.EASY_LINES[2]: "একজন বড় মানুষ তোমাকে সাহায্য করতে পারেন।",
        t.EASY_EOS_LINE: "আমরা যখন তোমার সাথে কাজ করেছি তখন কেমন লেগেছিল তা আমরা জানতে চাই।",
        t.EASY_SCAN: "ফোনের ক্যামেরা দিয়ে চৌকোটি স্ক্যান করো।",
        t.EASY_TYPE: "অথবা এটি লেখো:",
        t.EASY_CHOICE: "তোমাকে উত্তর দিতেই হবে এমন নয়। তুমি যেকোনো সময় থামতে পারো।",
        t.EASY_CHILDLINE: "তুমি চিন্তিত হলে, বিনামূল্যে চাইল্ডলাইনে ফোন করো ০৮০০ ১১১১।",
    },
    "so": {
        t.SUBJECTS["invite"]: "Fariin ka timid %(service)s",
        t.SUBJECTS["reminder"]: "Xusuusin ka timid %(service)s",
        t.SUBJECTS["you_said_we_did"]: "War cusub oo ka yimid %(service)s",
        t.OPENING: "Salaan %(name)s,",
        t.BODIES["invite"]: "Kani waa %(service)s. Waxaan jeclaan lahayn inaan maqalno fikradahaaga. Waa doorashadaada, waadna ka boodi kartaa su'aal kasta.",
        t.BODIES["eos_invite"]: "Kani waa %(service)s. Waxaan rabnaa inaan ogaano sida ay ahayd shaqadii aan kula qabannay, si aan u fiicnaano.",
        t.BODIES["reminder"]: "Kani waa %(service)s. Weli waqti ayaa loo haystaa inaad fikradahaaga bixiso.",
        t.BODIES["you_said_we_did"]: "Kani waa %(service)s. Waad ku mahadsan tahay inaad fikradahaaga bixisay. Waxaad arki kartaa waxa la go'aamiyay iyo waxa xiga.",
        t.LINK_LINE: "Fur xiriirkaaga gaarka ah:",
        t.LINK_PRIVATE: "Xiriirkan adiga keliya ayuu kuu yahay. Fadlan ha la wadaagin.",
        t.CALL_US: "Haddii aad qabtid su'aalo, ama aad rabtid caawimaad si aad uga jawaabto, wac %(phone)s.",
        t.NO_REPLY: "Fadlan ha ka jawaabin iimaylkan.",
        t.LETTER_TITLE: "Waxaan jeclaan lahayn inaan maqalno fikradahaaga",
        t.LETTER_DEAR: "Gacaliye %(name)s,",
        t.LETTER_WHY: "%(council)s waxay jeclaan lahayd inay maqasho fikradahaaga ka hor kulan dhici doona %(date)s.",
        t.LETTER_WHY_EOS: "%(council)s waxay rabtaa inay ogaato sida ay ahayd shaqadii aan kula qabannay, si aan u fiicnaano.",
        t.LETTER_HOW: "Waxaad ku jawaabi kartaa taleefan, tablet ama kombiyuutar. Ku sawir koodka afargeeslaha ah kamarada taleefankaaga, ama ku qor cinwaankan shabakadda:",
        t.LETTER_CHOICE: "Waa doorashadaada. Waad ka boodi kartaa su'aal kasta, waxayna qaadanaysaa qiyaastii 10 daqiiqo.",
        t.LETTER_HELP: "Haddii aad rabtid caawimaad si aad uga jawaabto, ama aad doorbidayso inaad qof la hadasho, wac %(phone)s.",
        t.LETTER_KEEP: "Cinwaankan adiga keliya ayuu kuu yahay. Fadlan warqaddan meel ammaan ah ku hay.",
        t.LETTER_SIGN: "Salaan diirran,",
        t.QR_ALT: "Kood afargeesle ah oo lagu sawiro kamarada taleefanka. Wuxuu furaa xiriirkaaga gaarka ah.",
        t.DRAFT_NOTE: "Kani waa tarjumaad qabyo ah oo sugaysa in turjumaan xirfad leh dib u eego.",
        t.EASY_TITLE: "Waxaan rabnaa inaan ogaano waxa aad u maleyneyso",
        t.EASY_HELLO: "Salaan %(name)s",
        t.EASY_LINES[0]: "Dhowaan kulan ayaa kaa dhici doona adiga.",
        t.EASY_LINES[1]: "Waad noo sheegi kartaa waxa aad u maleyneyso.",
        t.EASY_LINES[2]: "Qof weyn ayaa ku caawin kara.",
        t.EASY_EOS_LINE: "Waxaan rabnaa inaan ogaano sidii ay ahayd markii aan kula shaqeynay.",
        t.EASY_SCAN: "Ku sawir afargeeslaha kamarada taleefanka.",
        t.EASY_TYPE: "Ama qor tan:",
        t.EASY_CHOICE: "Looma baahna inaad jawaabto. Waad joojin kartaa waqti kasta.",
        t.EASY_CHILDLINE: "Haddii aad welwelsan tahay, si bilaash ah u wac Childline 0800 1111.",
    },
    "ar": {
        t.SUBJECTS["invite"]: "رسالة من %(service)s",
        t.SUBJECTS["reminder"]: "تذكير من %(service)s",
        t.SUBJECTS["you_said_we_did"]: "مستجدات من %(service)s",
        t.OPENING: "مرحبًا %(name)s،",
        t.BODIES["invite"]: "هذه رسالة من %(service)s. نود أن نسمع رأيك. الأمر متروك لك، ويمكنك تخطي أي سؤال.",
        t.BODIES["eos_invite"]: "هذه رسالة من %(service)s. نود أن نعرف كيف كان عملنا معك، حتى نتحسن.",
        t.BODIES["reminder"]: "هذه رسالة من %(service)s. لا يزال هناك وقت لتعطينا رأيك.",
        t.BODIES["you_said_we_did"]: "هذه رسالة من %(service)s. شكرًا لك على إعطائنا رأيك. يمكنك أن ترى ما تقرر وما سيحدث بعد ذلك.",
        t.LINK_LINE: "افتح رابطك الخاص:",
        t.LINK_PRIVATE: "هذا الرابط لك وحدك. من فضلك لا تشاركه مع أحد.",
        t.CALL_US: "إذا كانت لديك أسئلة، أو تريد مساعدة في الإجابة، اتصل على %(phone)s.",
        t.NO_REPLY: "من فضلك لا ترد على هذا البريد الإلكتروني.",
        t.LETTER_TITLE: "نود أن نسمع رأيك",
        t.LETTER_DEAR: "عزيزي/عزيزتي %(name)s،",
        t.LETTER_WHY: "يود %(council)s أن يسمع رأيك قبل اجتماع في %(date)s.",
        t.LETTER_WHY_EOS: "يود %(council)s أن يعرف كيف كان عملنا معك، حتى نتحسن.",
        t.LETTER_HOW: "يمكنك الإجابة على هاتف أو جهاز لوحي أو حاسوب. امسح الرمز المربع بكاميرا هاتفك، أو اكتب هذا العنوان في متصفح الإنترنت:",
        t.LETTER_CHOICE: "الأمر متروك لك. يمكنك تخطي أي سؤال، ويستغرق ذلك حوالي 10 دقائق.",
        t.LETTER_HELP: "إذا كنت تريد مساعدة في الإجابة، أو تفضل التحدث إلى شخص ما، اتصل على %(phone)s.",
        t.LETTER_KEEP: "هذا العنوان لك وحدك. من فضلك احتفظ بهذه الرسالة في مكان آمن.",
        t.LETTER_SIGN: "مع أطيب التمنيات،",
        t.QR_ALT: "رمز مربع يُمسح بكاميرا الهاتف. يفتح رابطك الخاص.",
        t.DRAFT_NOTE: "هذه ترجمة مبدئية بانتظار مراجعة مترجم مؤهل.",
        t.EASY_TITLE: "نريد أن نعرف رأيك",
        t.EASY_HELLO: "مرحبًا %(name)s",
        t.EASY_LINES[0]: "سيكون هناك اجتماع عنك قريبًا.",
        t.EASY_LINES[1]: "يمكنك أن تخبرنا برأيك.",
        t.EASY_LINES[2]: "يمكن لشخص كبير أن يساعدك.",
        t.EASY_EOS_LINE: "نريد أن نعرف كيف كان الأمر عندما عملنا معك.",
        t.EASY_SCAN: "امسح المربع بكاميرا الهاتف.",
        t.EASY_TYPE: "أو اكتب هذا:",
        t.EASY_CHOICE: "لا يجب عليك أن تجيب. يمكنك التوقف في أي وقت.",
        t.EASY_CHILDLINE: "إذا كنت قلقًا، اتصل مجانًا بخط Childline على 0800 1111.",
    },
}


def main() -> None:
    base = Path(t.TRANSLATIONS)
    for language, entries in DRAFTS.items():
        missing = [s for s in t.all_texts() if s not in entries]
        assert not missing, (language, missing)
        catalog = Catalog(locale=language, project="Family Voice outreach", fuzzy=False)
        catalog.header_comment = (f"# Family Voice emails and letters, {language}: DRAFT translation awaiting review by a "
                                  "qualified translator.\n# Keep every placeholder (%(x)s) as it is.")
        catalog.last_translator = "DRAFT, awaiting a qualified translator"
        for msgid in t.all_texts():
            catalog.add(msgid, entries[msgid], flags=("python-format",) if "%(" in msgid else ())
        folder = base / language / "LC_MESSAGES"
        with open(folder / "outreach.po", "wb") as fh:
            write_po(fh, catalog, width=0, sort_output=True)


if __name__ == "__main__":
    main()

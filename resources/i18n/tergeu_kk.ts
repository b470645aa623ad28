<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="kk_KZ">
<context>
    <name>AnnotateDialog</name>
    <message>
        <source>Annotate still %1: %2</source>
        <translation>%1-фотосуретке белгі қою: %2</translation>
    </message>
    <message>
        <source>Arrow</source>
        <translation>Нұсқар</translation>
    </message>
    <message>
        <source>Rectangle</source>
        <translation>Тіктөртбұрыш</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Мәтін</translation>
    </message>
    <message>
        <source>Text to place: choose Text, then click the still</source>
        <translation>Қойылатын мәтін: «Мәтін» таңдап, фотосуретті басыңыз</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Болдырмау</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Ескертпе</translation>
    </message>
    <message>
        <source>Save annotation</source>
        <translation>Белгілерді сақтау</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Жабу</translation>
    </message>
    <message>
        <source>Shapes: %1. The still itself is never changed: the annotation is kept beside it.</source>
        <translation>Фигуралар: %1. Фотосуреттің өзі ешқашан өзгертілмейді: белгілер оның жанында бөлек сақталады.</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Сақталуда…</translation>
    </message>
    <message>
        <source>Annotation saved</source>
        <translation>Белгілер сақталды</translation>
    </message>
</context>
<context>
    <name>ChooseCosignersDialog</name>
    <message>
        <source>Request co-signatures</source>
        <translation>Қол қоюды сұрау</translation>
    </message>
    <message>
        <source>Participants to ask for a co-signature</source>
        <translation>Қол қою сұралатын қатысушылар</translation>
    </message>
    <message>
        <source>Send requests</source>
        <translation>Сұрауларды жіберу</translation>
    </message>
    <message>
        <source>Who should sign the protocol with their key?</source>
        <translation>Хаттамаға өз кілтімен кім қол қоюы керек?</translation>
    </message>
    <message>
        <source>Every participant with a key has signed or refused already.</source>
        <translation>Кілті бар барлық қатысушы қол қойып қойды немесе бас тартты.</translation>
    </message>
</context>
<context>
    <name>ConfidentialityDialog</name>
    <message>
        <source>Confidentiality of the pre-trial investigation</source>
        <translation>Сотқа дейінгі тергеп-тексеру деректерін жария етпеу</translation>
    </message>
    <message>
        <source>Prosecutor</source>
        <translation>Прокурор</translation>
    </message>
    <message>
        <source>Judge</source>
        <translation>Судья</translation>
    </message>
    <message>
        <source>Defence counsel</source>
        <translation>Қорғаушы</translation>
    </message>
    <message>
        <source>Investigator</source>
        <translation>Тергеуші</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Басқа</translation>
    </message>
    <message>
        <source>Your full name</source>
        <translation>Аты-жөніңіз</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Рөлі</translation>
    </message>
    <message>
        <source>I have read these rules and accept them</source>
        <translation>Мен осы ережелермен таныстым және оларды қабылдаймын</translation>
    </message>
</context>
<context>
    <name>CosignDialog</name>
    <message>
        <source>Co-sign a protocol</source>
        <translation>Хаттамаға қосымша қол қою</translation>
    </message>
    <message>
        <source>Container (.asice)</source>
        <translation>Контейнер (.asice)</translation>
    </message>
    <message>
        <source>Signing identity (PKCS#12)</source>
        <translation>Қолтаңба кілті (PKCS#12)</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Құпиясөз</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Таңдау…</translation>
    </message>
    <message>
        <source>Add my signature</source>
        <translation>Менің қолтаңбамды қосу</translation>
    </message>
    <message>
        <source>Password of the signing identity</source>
        <translation>Қолтаңба кілтінің құпиясөзі</translation>
    </message>
    <message>
        <source>Container</source>
        <translation>Контейнер</translation>
    </message>
    <message>
        <source>ASiC-E container (*.asice)</source>
        <translation>ASiC-E контейнері (*.asice)</translation>
    </message>
    <message>
        <source>Signing identity</source>
        <translation>Қолтаңба кілті</translation>
    </message>
    <message>
        <source>PKCS#12 (*.p12 *.pfx)</source>
        <translation>PKCS#12 (*.p12 *.pfx)</translation>
    </message>
    <message>
        <source>Signing…</source>
        <translation>Қол қойылуда…</translation>
    </message>
    <message>
        <source>Signature added and verified.</source>
        <translation>Қолтаңба қосылды және тексерілді.</translation>
    </message>
</context>
<context>
    <name>CosignLinkDialog</name>
    <message>
        <source>Co-sign from a link</source>
        <translation>Сілтеме бойынша қол қою</translation>
    </message>
    <message>
        <source>Link</source>
        <translation>Сілтеме</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Signing identity (PKCS#12)</source>
        <translation>Қол қою кілті (PKCS#12)</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Құпиясөз</translation>
    </message>
    <message>
        <source>Or refuse, with the reason</source>
        <translation>Немесе себебін көрсетіп, бас тартыңыз</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Ашу</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Таңдау…</translation>
    </message>
    <message>
        <source>Sign the protocol</source>
        <translation>Хаттамаға қол қою</translation>
    </message>
    <message>
        <source>Refuse to sign</source>
        <translation>Қол қоюдан бас тарту</translation>
    </message>
    <message>
        <source>Co-sign link</source>
        <translation>Қол қоюға арналған сілтеме</translation>
    </message>
    <message>
        <source>PIN of the co-sign request</source>
        <translation>Қол қою сұрауының PIN коды</translation>
    </message>
    <message>
        <source>Password of the signing identity</source>
        <translation>Қол қою кілтінің құпиясөзі</translation>
    </message>
    <message>
        <source>Reason for refusing to sign</source>
        <translation>Қол қоюдан бас тарту себебі</translation>
    </message>
    <message>
        <source>Protocol to sign</source>
        <translation>Қол қойылатын хаттама</translation>
    </message>
    <message>
        <source>Paste the link and enter the PIN you were given separately.</source>
        <translation>Сілтемені қойып, сізге бөлек берілген PIN кодты енгізіңіз.</translation>
    </message>
    <message>
        <source>Signing identity</source>
        <translation>Қол қою кілті</translation>
    </message>
    <message>
        <source>PKCS#12 (*.p12 *.pfx)</source>
        <translation>PKCS#12 (*.p12 *.pfx)</translation>
    </message>
    <message>
        <source>Opening the request and checking the protocol…</source>
        <translation>Сұрау ашылып, хаттама тексерілуде…</translation>
    </message>
    <message>
        <source>%1 asks %2 (%3) to sign the protocol of: %4</source>
        <translation>%1 %2 (%3) атты қатысушыдан мына әрекеттің хаттамасына қол қоюды сұрайды: %4</translation>
    </message>
    <message>
        <source>Checked: the protocol is the one the link names; the investigator's signature verifies.</source>
        <translation>Тексерілді: хаттама сілтемеде көрсетілгенмен бірдей; тергеушінің қолтаңбасы расталды.</translation>
    </message>
    <message>
        <source>DEMO certificates — not a qualified signature.</source>
        <translation>DEMO сертификаттар — білікті қолтаңба емес.</translation>
    </message>
    <message>
        <source>Read the protocol, then sign it or refuse with a reason.</source>
        <translation>Хаттаманы оқып шығыңыз, содан кейін қол қойыңыз немесе себебін көрсетіп бас тартыңыз.</translation>
    </message>
    <message>
        <source>Signing and sending…</source>
        <translation>Қол қойылып, жіберілуде…</translation>
    </message>
    <message>
        <source>Write the reason for refusing first.</source>
        <translation>Алдымен бас тарту себебін жазыңыз.</translation>
    </message>
    <message>
        <source>Your signature was accepted and added as %1.</source>
        <translation>Қолтаңбаңыз қабылданып, %1 ретінде қосылды.</translation>
    </message>
    <message>
        <source>Your refusal and its reason were sent to the investigator.</source>
        <translation>Бас тартуыңыз бен оның себебі тергеушіге жіберілді.</translation>
    </message>
</context>
<context>
    <name>CosignRequestsPanel</name>
    <message>
        <source>sent</source>
        <translation>жіберілді</translation>
    </message>
    <message>
        <source>opened</source>
        <translation>ашылды</translation>
    </message>
    <message>
        <source>signed</source>
        <translation>қол қойылды</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>бас тартылды</translation>
    </message>
    <message>
        <source>expired</source>
        <translation>мерзімі өтті</translation>
    </message>
    <message>
        <source>withdrawn</source>
        <translation>кері қайтарылды</translation>
    </message>
    <message>
        <source>locked (wrong PINs)</source>
        <translation>бұғатталды (қате PIN)</translation>
    </message>
    <message>
        <source>refusal recorded</source>
        <translation>бас тарту тіркелді</translation>
    </message>
    <message>
        <source>Request co-signatures…</source>
        <translation>Қол қоюды сұрау…</translation>
    </message>
    <message>
        <source>Record the refusal in the container</source>
        <translation>Бас тартуды контейнерге тіркеу</translation>
    </message>
    <message>
        <source>Adds the refusal and its reason to the container as an addendum signed with your key. The signed protocol and every signature stay unchanged.</source>
        <translation>Бас тартуды және оның себебін контейнерге сіздің кілтіңізбен қол қойылған қосымша ретінде қосады. Қол қойылған хаттама мен барлық қолтаңбалар өзгеріссіз қалады.</translation>
    </message>
    <message>
        <source>Participant</source>
        <translation>Қатысушы</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Рөлі</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Күйі</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Толығырақ</translation>
    </message>
    <message>
        <source>Co-signature requests</source>
        <translation>Қол қою сұраулары</translation>
    </message>
    <message>
        <source>Adding a co-signature</source>
        <translation>Қолтаңба қосылуда</translation>
    </message>
    <message>
        <source>Recording the refusal</source>
        <translation>Бас тарту тіркелуде</translation>
    </message>
    <message>
        <source>Verifying</source>
        <translation>Тексерілуде</translation>
    </message>
    <message>
        <source>Co-signature of %1 added; the container verifies</source>
        <translation>%1 қолтаңбасы қосылды; контейнер тексерістен өтті</translation>
    </message>
    <message>
        <source>Refusal of %1 recorded in the container; the container verifies</source>
        <translation>%1 бас тартуы контейнерге тіркелді; контейнер тексеруден өтеді</translation>
    </message>
    <message>
        <source>Refusal of %1 recorded, but the container does not verify</source>
        <translation>%1 бас тартуы тіркелді, бірақ контейнер тексеруден өтпейді</translation>
    </message>
    <message>
        <source>until %1</source>
        <translation>%1 дейін</translation>
    </message>
</context>
<context>
    <name>Domain</name>
    <message>
        <source>Remote interrogation of a witness</source>
        <translation>Куәдан қашықтан жауап алу</translation>
    </message>
    <message>
        <source>Remote interrogation of a victim</source>
        <translation>Жәбірленушіден қашықтан жауап алу</translation>
    </message>
    <message>
        <source>Remote inspection</source>
        <translation>Қашықтан қарап-тексеру</translation>
    </message>
    <message>
        <source>Remote participation of an expert or specialist</source>
        <translation>Сарапшының немесе маманның қашықтан қатысуы</translation>
    </message>
    <message>
        <source>Health or another valid reason (Art. 213 p. 1)</source>
        <translation>Денсаулық жағдайы немесе басқа дәлелді себеп (213-бап 1-т.)</translation>
    </message>
    <message>
        <source>Safety of the participant (Art. 213 p. 2)</source>
        <translation>Қатысушының қауіпсіздігін қамтамасыз ету (213-бап 2-т.)</translation>
    </message>
    <message>
        <source>The participant is a minor (Art. 213 p. 3)</source>
        <translation>Қатысушы — кәмелетке толмаған (213-бап 3-т.)</translation>
    </message>
    <message>
        <source>Procedural time limits (Art. 213 p. 4)</source>
        <translation>Іс жүргізу мерзімдерін сақтау (213-бап 4-т.)</translation>
    </message>
    <message>
        <source>Difficulty or cost of attending (Art. 213 p. 5)</source>
        <translation>Келудің қиындығы немесе қымбаттығы (213-бап 5-т.)</translation>
    </message>
    <message>
        <source>Witness</source>
        <translation>Куә</translation>
    </message>
    <message>
        <source>Victim</source>
        <translation>Жәбірленуші</translation>
    </message>
    <message>
        <source>Expert</source>
        <translation>Сарапшы</translation>
    </message>
    <message>
        <source>Specialist</source>
        <translation>Маман</translation>
    </message>
    <message>
        <source>Interpreter</source>
        <translation>Аудармашы</translation>
    </message>
    <message>
        <source>Defence counsel</source>
        <translation>Қорғаушы</translation>
    </message>
    <message>
        <source>Legal representative</source>
        <translation>Заңды өкіл</translation>
    </message>
    <message>
        <source>Official at the remote location</source>
        <translation>Қатысушы тұрған жердегі лауазымды адам</translation>
    </message>
    <message>
        <source>Attesting witness</source>
        <translation>Куәгер</translation>
    </message>
    <message>
        <source>planned</source>
        <translation>жоспарланған</translation>
    </message>
    <message>
        <source>live</source>
        <translation>жүріп жатыр</translation>
    </message>
    <message>
        <source>sealed</source>
        <translation>мөрленген</translation>
    </message>
    <message>
        <source>signed</source>
        <translation>қол қойылған</translation>
    </message>
    <message>
        <source>exported</source>
        <translation>экспортталған</translation>
    </message>
    <message>
        <source>uploaded</source>
        <translation>жіберілген</translation>
    </message>
</context>
<context>
    <name>FinishWindow</name>
    <message>
        <source>Preparing the protocol…</source>
        <translation>Хаттама дайындалуда…</translation>
    </message>
    <message>
        <source>Finish the action</source>
        <translation>Әрекетті аяқтау</translation>
    </message>
    <message>
        <source>Open your signing identity to prepare the protocol</source>
        <translation>Хаттаманы дайындау үшін қолтаңба кілтін ашыңыз</translation>
    </message>
    <message>
        <source>Protocol — check it, then sign</source>
        <translation>Хаттама — тексеріп, содан кейін қол қойыңыз</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Таңдау…</translation>
    </message>
    <message>
        <source>Signing identity (PKCS#12)</source>
        <translation>Қолтаңба кілті (PKCS#12)</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Құпиясөз</translation>
    </message>
    <message>
        <source>Password of the signing identity</source>
        <translation>Қолтаңба кілтінің құпиясөзі</translation>
    </message>
    <message>
        <source>Protocol preview</source>
        <translation>Хаттаманы алдын ала қарау</translation>
    </message>
    <message>
        <source>Open the identity and prepare the protocol</source>
        <translation>Кілтті ашып, хаттаманы дайындау</translation>
    </message>
    <message>
        <source>Corrections and additions (they become part of the protocol):</source>
        <translation>Түзетулер мен толықтырулар (хаттамаға енеді):</translation>
    </message>
    <message>
        <source>Corrections and additions</source>
        <translation>Түзетулер мен толықтырулар</translation>
    </message>
    <message>
        <source>Update the preview</source>
        <translation>Алдын ала қарауды жаңарту</translation>
    </message>
    <message>
        <source>Sign, verify and put in the outbox</source>
        <translation>Қол қою, тексеру және жіберу кезегіне қою</translation>
    </message>
    <message>
        <source>Upload token</source>
        <translation>Жіберу токені</translation>
    </message>
    <message>
        <source>Upload to the case system</source>
        <translation>Іс жүйесіне жіберу</translation>
    </message>
    <message>
        <source>Set the upload address in Settings first</source>
        <translation>Алдымен Баптауларда жіберу мекенжайын көрсетіңіз</translation>
    </message>
    <message>
        <source>Signing identity</source>
        <translation>Қолтаңба кілті</translation>
    </message>
    <message>
        <source>PKCS#12 (*.p12 *.pfx)</source>
        <translation>PKCS#12 (*.p12 *.pfx)</translation>
    </message>
    <message>
        <source>%1 pages</source>
        <translation>%1 бет</translation>
    </message>
    <message>
        <source>Ready to sign</source>
        <translation>Қол қоюға дайын</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Сәтсіз аяқталды</translation>
    </message>
    <message>
        <source>Signing</source>
        <translation>Қол қою</translation>
    </message>
    <message>
        <source>Verifying</source>
        <translation>Тексерілуде</translation>
    </message>
    <message>
        <source>Uploading</source>
        <translation>Жіберілуде</translation>
    </message>
    <message>
        <source>Signed and verified</source>
        <translation>Қол қойылды және тексерілді</translation>
    </message>
    <message>
        <source>Container: %1</source>
        <translation>Контейнер: %1</translation>
    </message>
    <message>
        <source>Signed by: %1</source>
        <translation>Қол қойған: %1</translation>
    </message>
    <message>
        <source>Queued for upload in %1</source>
        <translation>Жіберу кезегіне қойылды: %1</translation>
    </message>
    <message>
        <source>the container with the recorded refusal is queued for upload</source>
        <translation>тіркелген бас тартуы бар контейнер жіберуге кезекке қойылды</translation>
    </message>
    <message>
        <source>the co-signed container is queued for upload</source>
        <translation>қол қойылған контейнер жіберу кезегіне қойылды</translation>
    </message>
    <message>
        <source>The co-signed container could not be queued for upload: %1</source>
        <translation>Қол қойылған контейнерді жіберу кезегіне қою мүмкін болмады: %1</translation>
    </message>
    <message>
        <source>Delivered; the case system confirmed the SHA-256</source>
        <translation>Жеткізілді; іс жүйесі SHA-256 растады</translation>
    </message>
    <message>
        <source>Upload failed; the container stays in the outbox</source>
        <translation>Жіберу сәтсіз; контейнер жіберу кезегінде қалады</translation>
    </message>
</context>
<context>
    <name>IdentityDialog</name>
    <message>
        <source>Identity of %1</source>
        <translation>%1 жеке басы</translation>
    </message>
    <message>
        <source>Ask for stills of the ID document and the face</source>
        <translation>Жеке куәлік пен беттің кадрларын сұрау</translation>
    </message>
    <message>
        <source>IIN</source>
        <translation>ЖСН</translation>
    </message>
    <message>
        <source>Document number</source>
        <translation>Құжат нөмірі</translation>
    </message>
    <message>
        <source>MRZ lines (optional)</source>
        <translation>MRZ жолдары (міндетті емес)</translation>
    </message>
    <message>
        <source>Check the document data</source>
        <translation>Құжат деректерін тексеру</translation>
    </message>
    <message>
        <source>I attest the identity</source>
        <translation>Жеке басын растаймын</translation>
    </message>
    <message>
        <source>ID document</source>
        <translation>Жеке куәлік</translation>
    </message>
    <message>
        <source>Face</source>
        <translation>Бет</translation>
    </message>
    <message>
        <source>Waiting for the stills from the participant's camera…</source>
        <translation>Қатысушының камерасынан кадрлар күтілуде…</translation>
    </message>
    <message>
        <source>Both stills arrived intact and are stored as evidence.</source>
        <translation>Екі кадр да бүтін келді және дәлел ретінде сақталды.</translation>
    </message>
    <message>
        <source>The document data passed every check.</source>
        <translation>Құжат деректері барлық тексерістен өтті.</translation>
    </message>
    <message>
        <source>Identity attested and logged.</source>
        <translation>Жеке басы расталды және журналға жазылды.</translation>
    </message>
</context>
<context>
    <name>InviteDialog</name>
    <message>
        <source>Invitation</source>
        <translation>Шақыру</translation>
    </message>
    <message>
        <source>Invitation for %1</source>
        <translation>%1 үшін шақыру</translation>
    </message>
    <message>
        <source>Copy link</source>
        <translation>Сілтемені көшіру</translation>
    </message>
    <message>
        <source>PIN (tell it by phone or through the local official):</source>
        <translation>PIN (телефонмен немесе жергілікті лауазымды тұлға арқылы айтыңыз):</translation>
    </message>
    <message>
        <source>The PIN is shown only now and is not stored. Send the link and the PIN by different channels. The link works once and expires in 4 hours.</source>
        <translation>PIN тек қазір көрсетіледі және сақталмайды. Сілтеме мен PIN-ді әртүрлі арналар арқылы жіберіңіз. Сілтеме бір рет жұмыс істейді және 4 сағаттан кейін жарамсыз болады.</translation>
    </message>
    <message>
        <source>Invitation link</source>
        <translation>Шақыру сілтемесі</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>QR code of the invitation link</source>
        <translation>Шақыру сілтемесінің QR коды</translation>
    </message>
</context>
<context>
    <name>IssuedRequestsDialog</name>
    <message>
        <source>Co-sign links and PINs</source>
        <translation>Қол қою сілтемелері мен PIN кодтар</translation>
    </message>
    <message>
        <source>Send each link, and give the PIN by another channel (phone, in person). The PINs are shown only now. Keep the finish window open until they have signed.</source>
        <translation>Әр сілтемені жіберіп, PIN кодты басқа арнамен (телефон, жеке өзі) беріңіз. PIN кодтар тек қазір көрсетіледі. Олар қол қойғанша аяқтау терезесін жаппаңыз.</translation>
    </message>
    <message>
        <source>Server certificate fingerprint (they check it): %1</source>
        <translation>Сервер сертификатының саусақ ізі (олар тексереді): %1</translation>
    </message>
    <message>
        <source>Co-sign link for %1</source>
        <translation>%1 үшін қол қою сілтемесі</translation>
    </message>
    <message>
        <source>Copy link</source>
        <translation>Сілтемені көшіру</translation>
    </message>
    <message>
        <source>PIN: %1</source>
        <translation>PIN: %1</translation>
    </message>
</context>
<context>
    <name>LiveStillsPanel</name>
    <message>
        <source>Stills</source>
        <translation>Фотосуреттер</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>№</translation>
    </message>
    <message>
        <source>Still</source>
        <translation>Фотосурет</translation>
    </message>
    <message>
        <source>Stills and annotations</source>
        <translation>Фотосуреттер мен белгілер</translation>
    </message>
    <message>
        <source>No stills yet. Stills taken and experts' annotations appear here.</source>
        <translation>Әзірге фотосурет жоқ. Түсірілген фотосуреттер мен сарапшылардың белгілері осында шығады.</translation>
    </message>
    <message>
        <source>Open still…</source>
        <translation>Фотосуретті ашу…</translation>
    </message>
    <message>
        <source>camera: %1</source>
        <translation>камера: %1</translation>
    </message>
    <message>
        <source>%1 · by %2</source>
        <translation>%1 · авторы: %2</translation>
    </message>
    <message>
        <source>Annotation, marks: %1</source>
        <translation>Белгілер, саны: %1</translation>
    </message>
</context>
<context>
    <name>LiveWindow</name>
    <message>
        <source>planned</source>
        <translation>жоспарланған</translation>
    </message>
    <message>
        <source>invited</source>
        <translation>шақырылды</translation>
    </message>
    <message>
        <source>waiting in the lobby</source>
        <translation>күту залында</translation>
    </message>
    <message>
        <source>admitted</source>
        <translation>кіргізілді</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>қосылды</translation>
    </message>
    <message>
        <source>connection lost</source>
        <translation>байланыс үзілді</translation>
    </message>
    <message>
        <source>reconnected</source>
        <translation>қайта қосылды</translation>
    </message>
    <message>
        <source>left</source>
        <translation>шықты</translation>
    </message>
    <message>
        <source>identity verified</source>
        <translation>жеке басы расталды</translation>
    </message>
    <message>
        <source>acknowledged</source>
        <translation>растады</translation>
    </message>
    <message>
        <source>Live session — %1</source>
        <translation>Тікелей сеанс — %1</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Жалғастыру</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Үзіліс жасау</translation>
    </message>
    <message>
        <source>Stop and seal</source>
        <translation>Тоқтату және мөрлеу</translation>
    </message>
    <message>
        <source>Participants</source>
        <translation>Қатысушылар</translation>
    </message>
    <message>
        <source>Presence alerts</source>
        <translation>Қатысу туралы ескертулер</translation>
    </message>
    <message>
        <source>Invite</source>
        <translation>Шақыру</translation>
    </message>
    <message>
        <source>Admit</source>
        <translation>Кіргізу</translation>
    </message>
    <message>
        <source>Decline</source>
        <translation>Бас тарту</translation>
    </message>
    <message>
        <source>Ask to acknowledge the step</source>
        <translation>Қадамды растауды сұрау</translation>
    </message>
    <message>
        <source>Read back</source>
        <translation>Оқып беру</translation>
    </message>
    <message>
        <source>Take a still</source>
        <translation>Кадр түсіру</translation>
    </message>
    <message>
        <source>Show an exhibit…</source>
        <translation>Заттай дәлелді көрсету…</translation>
    </message>
    <message>
        <source>Identity…</source>
        <translation>Жеке басы…</translation>
    </message>
    <message>
        <source>Stop showing</source>
        <translation>Көрсетуді тоқтату</translation>
    </message>
    <message>
        <source>Session address: %1</source>
        <translation>Сеанс мекенжайы: %1</translation>
    </message>
    <message>
        <source>Certificate fingerprint (SHA-256): %1</source>
        <translation>Сертификат іздері (SHA-256): %1</translation>
    </message>
    <message>
        <source>Start step</source>
        <translation>Қадамды бастау</translation>
    </message>
    <message>
        <source>Step done</source>
        <translation>Қадам орындалды</translation>
    </message>
    <message>
        <source>Free narrative, in the first person</source>
        <translation>Еркін баяндау, бірінші жақтан</translation>
    </message>
    <message>
        <source>Add to the record</source>
        <translation>Хаттамаға қосу</translation>
    </message>
    <message>
        <source>Question (Enter to record it)</source>
        <translation>Сұрақ (жазу үшін Enter)</translation>
    </message>
    <message>
        <source>Answer to the last question (Enter)</source>
        <translation>Соңғы сұраққа жауап (Enter)</translation>
    </message>
    <message>
        <source>Exhibit shown</source>
        <translation>Заттай дәлел көрсетілді</translation>
    </message>
    <message>
        <source>Media played</source>
        <translation>Жазба ойнатылды</translation>
    </message>
    <message>
        <source>Break</source>
        <translation>Үзіліс</translation>
    </message>
    <message>
        <source>Resumed</source>
        <translation>Жалғасты</translation>
    </message>
    <message>
        <source>Masking…</source>
        <translation>Бүркемелеу…</translation>
    </message>
    <message>
        <source>Testimony so far</source>
        <translation>Осы уақытқа дейінгі айғақтар</translation>
    </message>
    <message>
        <source>Free narrative</source>
        <translation>Еркін баяндау</translation>
    </message>
    <message>
        <source>Question</source>
        <translation>Сұрақ</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>Жауап</translation>
    </message>
    <message>
        <source>Recording indicator</source>
        <translation>Жазу индикаторы</translation>
    </message>
    <message>
        <source>PAUSED</source>
        <translation>ҮЗІЛІС</translation>
    </message>
    <message>
        <source>%1 segments sealed, last at %2 · %3 GB free</source>
        <translation>%1 сегмент мөрленді, соңғысы %2 · бос орын %3 ГБ</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Сіз</translation>
    </message>
    <message>
        <source>no face</source>
        <translation>бет көрінбейді</translation>
    </message>
    <message>
        <source>several faces</source>
        <translation>бірнеше бет</translation>
    </message>
    <message>
        <source>video %1 fps</source>
        <translation>бейне %1 кадр/с</translation>
    </message>
    <message>
        <source>network: %1</source>
        <translation>желі: %1</translation>
    </message>
    <message>
        <source>weak connection</source>
        <translation>байланыс әлсіз</translation>
    </message>
    <message>
        <source>good</source>
        <translation>жақсы</translation>
    </message>
    <message>
        <source>fair</source>
        <translation>орташа</translation>
    </message>
    <message>
        <source>poor</source>
        <translation>нашар</translation>
    </message>
    <message>
        <source>Round trip</source>
        <translation>Айналым уақыты</translation>
    </message>
    <message>
        <source>Packets lost on the way to us</source>
        <translation>Бізге келе жатқанда жоғалған пакеттер</translation>
    </message>
    <message>
        <source>Packets lost on the way to them</source>
        <translation>Оларға бара жатқанда жоғалған пакеттер</translation>
    </message>
    <message>
        <source>Jitter on the way to us</source>
        <translation>Бізге келу жолындағы джиттер</translation>
    </message>
    <message>
        <source>Jitter on the way to them</source>
        <translation>Оларға бару жолындағы джиттер</translation>
    </message>
    <message>
        <source>Video frames per second</source>
        <translation>Секундына бейне кадрлар</translation>
    </message>
    <message>
        <source>Network: %1</source>
        <translation>Желі: %1</translation>
    </message>
    <message>
        <source>Masking</source>
        <translation>Бүркемелеу</translation>
    </message>
    <message>
        <source>What is masked, and why:</source>
        <translation>Не бүркемеленеді және неге:</translation>
    </message>
    <message>
        <source>Reason for the pause</source>
        <translation>Үзіліс себебі</translation>
    </message>
    <message>
        <source>Caption for the photo table:</source>
        <translation>Фотокестеге арналған жазу:</translation>
    </message>
    <message>
        <source>Show an exhibit</source>
        <translation>Заттай дәлелді көрсету</translation>
    </message>
    <message>
        <source>Exhibits (*.png *.jpg *.jpeg *.pdf *.mp4 *.webm *.mkv *.mov *.wav *.mp3 *.m4a)</source>
        <translation>Заттай дәлелдер (*.png *.jpg *.jpeg *.pdf *.mp4 *.webm *.mkv *.mov *.wav *.mp3 *.m4a)</translation>
    </message>
    <message>
        <source>Page:</source>
        <translation>Бет:</translation>
    </message>
    <message>
        <source>Title shown to the participants:</source>
        <translation>Қатысушыларға көрсетілетін атауы:</translation>
    </message>
    <message>
        <source>Nobody is connected to be shown the exhibit</source>
        <translation>Заттай дәлелді көрсететін қосылған қатысушы жоқ</translation>
    </message>
    <message>
        <source>Exhibit %1 shown: %2</source>
        <translation>%1-заттай дәлел көрсетілді: %2</translation>
    </message>
    <message>
        <source>Procedure complete</source>
        <translation>Тәртіп орындалды</translation>
    </message>
    <message>
        <source>Deviation from the procedure</source>
        <translation>Тәртіптен ауытқу</translation>
    </message>
    <message>
        <source>Steps before this one are not done. Reason to go on:</source>
        <translation>Алдыңғы қадамдар орындалмаған. Жалғастыру себебі:</translation>
    </message>
    <message>
        <source>SEALED</source>
        <translation>МӨРЛЕНДІ</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Cases</source>
        <translation>Істер</translation>
    </message>
    <message>
        <source>Search by ERDR number or title</source>
        <translation>СДТБТ нөмірі немесе атауы бойынша іздеу</translation>
    </message>
    <message>
        <source>Search cases</source>
        <translation>Істерді іздеу</translation>
    </message>
    <message>
        <source>ERDR number</source>
        <translation>СДТБТ нөмірі</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Атауы</translation>
    </message>
    <message>
        <source>Actions</source>
        <translation>Әрекеттер</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Құрылған күні</translation>
    </message>
    <message>
        <source>No cases yet.
Create one with “New case” (Ctrl+N) using its ERDR number.</source>
        <translation>Істер әлі жоқ.
«Жаңа іс» (Ctrl+N) арқылы СДТБТ нөмірі бойынша іс құрыңыз.</translation>
    </message>
    <message>
        <source>New case…</source>
        <translation>Жаңа іс…</translation>
    </message>
    <message>
        <source>Actions of the selected case</source>
        <translation>Таңдалған іс бойынша әрекеттер</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Әрекет</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Күйі</translation>
    </message>
    <message>
        <source>Planned start</source>
        <translation>Жоспарлы басталуы</translation>
    </message>
    <message>
        <source>New action…</source>
        <translation>Жаңа әрекет…</translation>
    </message>
    <message>
        <source>Start the session…</source>
        <translation>Сеансты бастау…</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Шығу</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>Баптаулар…</translation>
    </message>
    <message>
        <source>Review a signed container…</source>
        <translation>Қол қойылған контейнерді қарау…</translation>
    </message>
    <message>
        <source>Review a recording folder…</source>
        <translation>Жазба қалтасын қарау…</translation>
    </message>
    <message>
        <source>Co-sign a protocol…</source>
        <translation>Хаттамаға қосымша қол қою…</translation>
    </message>
    <message>
        <source>Co-sign from a link…</source>
        <translation>Сілтеме бойынша қол қою…</translation>
    </message>
    <message>
        <source>Join a session as a participant…</source>
        <translation>Сеансқа қатысушы ретінде қосылу…</translation>
    </message>
    <message>
        <source>About Tergeu</source>
        <translation>Tergeu туралы</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Файл</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Тіл</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Анықтама</translation>
    </message>
    <message>
        <source>Recovered after a crash: %1</source>
        <translation>Апаттан кейін қалпына келтірілді: %1</translation>
    </message>
    <message>
        <source>Review a signed container</source>
        <translation>Қол қойылған контейнерді қарау</translation>
    </message>
    <message>
        <source>Containers (*.asice)</source>
        <translation>Контейнерлер (*.asice)</translation>
    </message>
    <message>
        <source>Review a recording folder</source>
        <translation>Жазба қалтасын қарау</translation>
    </message>
    <message>
        <source>Tergeu — remote investigative actions with verified identities, evidence-grade recording and signed electronic protocols.</source>
        <translation>Tergeu — қатысушылардың жеке басын тексеретін, дәлелдемелік бейнежазбасы мен қол қойылған электрондық хаттамалары бар қашықтан тергеу әрекеттері.</translation>
    </message>
</context>
<context>
    <name>NewActionWizard</name>
    <message>
        <source>New action</source>
        <translation>Жаңа әрекет</translation>
    </message>
</context>
<context>
    <name>NewCaseDialog</name>
    <message>
        <source>New case</source>
        <translation>Жаңа іс</translation>
    </message>
    <message>
        <source>ERDR registration number</source>
        <translation>СДТБТ тіркеу нөмірі</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Атауы</translation>
    </message>
</context>
<context>
    <name>ParticipantWindow</name>
    <message>
        <source>Join a session</source>
        <translation>Сеансқа қосылу</translation>
    </message>
    <message>
        <source>Invitation link</source>
        <translation>Шақыру сілтемесі</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Certificate fingerprint (if the investigator gave one)</source>
        <translation>Сертификат іздері (тергеуші берсе)</translation>
    </message>
    <message>
        <source>Your signing identity (PKCS#12), to prove who you are</source>
        <translation>Жеке басыңызды растауға арналған қолтаңба кілті (PKCS#12)</translation>
    </message>
    <message>
        <source>Password of the signing identity</source>
        <translation>Қолтаңба кілтінің құпиясөзі</translation>
    </message>
    <message>
        <source>Check camera and microphone</source>
        <translation>Камера мен микрофонды тексеру</translation>
    </message>
    <message>
        <source>Join</source>
        <translation>Қосылу</translation>
    </message>
    <message>
        <source>Hang up</source>
        <translation>Аяқтау</translation>
    </message>
    <message>
        <source>Your camera</source>
        <translation>Сіздің камераңыз</translation>
    </message>
    <message>
        <source>Still requested: %1</source>
        <translation>Фотосурет сұралды: %1</translation>
    </message>
    <message>
        <source>Annotation of still %1 saved</source>
        <translation>%1-фотосурет белгілері сақталды</translation>
    </message>
    <message>
        <source>The session has ended: %1</source>
        <translation>Сеанс аяқталды: %1</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Қосылуда…</translation>
    </message>
    <message>
        <source>Waiting for the investigator to admit you</source>
        <translation>Тергеушінің кіргізуін күтіңіз</translation>
    </message>
    <message>
        <source>Admitted</source>
        <translation>Кіргізілдіңіз</translation>
    </message>
    <message>
        <source>In the session</source>
        <translation>Сеанстасыз</translation>
    </message>
    <message>
        <source>● RECORDING</source>
        <translation>● ЖАЗЫЛУДА</translation>
    </message>
    <message>
        <source>Exhibit %1: %2</source>
        <translation>Заттай дәлел %1: %2</translation>
    </message>
</context>
<context>
    <name>ParticipantsPage</name>
    <message>
        <source>Participants</source>
        <translation>Қатысушылар</translation>
    </message>
    <message>
        <source>Everyone who takes part besides the investigator.</source>
        <translation>Тергеушіден басқа барлық қатысушылар.</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Рөлі</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation>Аты-жөні</translation>
    </message>
    <message>
        <source>IIN</source>
        <translation>ЖСН</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>Байланыс</translation>
    </message>
    <message>
        <source>Add participant</source>
        <translation>Қатысушы қосу</translation>
    </message>
    <message>
        <source>Remove selected</source>
        <translation>Таңдалғандарды жою</translation>
    </message>
    <message>
        <source>Row %1: the full name is empty.</source>
        <translation>%1-жол: аты-жөні көрсетілмеген.</translation>
    </message>
    <message>
        <source>Add at least one participant.</source>
        <translation>Кемінде бір қатысушы қосыңыз.</translation>
    </message>
</context>
<context>
    <name>PlacePage</name>
    <message>
        <source>Places and time</source>
        <translation>Орны мен уақыты</translation>
    </message>
    <message>
        <source>Where the investigator and the remote participants are.</source>
        <translation>Тергеуші мен қашықтағы қатысушылар қайда орналасқан.</translation>
    </message>
    <message>
        <source>Investigator's place</source>
        <translation>Тергеушінің орналасқан жері</translation>
    </message>
    <message>
        <source>Remote place (e.g. police office)</source>
        <translation>Қашықтағы орын (мысалы, полиция бөлімі)</translation>
    </message>
    <message>
        <source>Planned start</source>
        <translation>Жоспарлы басталуы</translation>
    </message>
    <message>
        <source>Planned duration, minutes</source>
        <translation>Жоспарлы ұзақтығы, минут</translation>
    </message>
</context>
<context>
    <name>RequestStillDialog</name>
    <message>
        <source>Request a still</source>
        <translation>Фотосурет сұрау</translation>
    </message>
    <message>
        <source>Whose camera</source>
        <translation>Кімнің камерасы</translation>
    </message>
    <message>
        <source>What the still shows</source>
        <translation>Фотосуретте не көрсетілген</translation>
    </message>
    <message>
        <source>Nobody whose camera you may see is in the session now.</source>
        <translation>Қазір сеанста камерасын көруге рұқсат етілген ешкім жоқ.</translation>
    </message>
    <message>
        <source>Request</source>
        <translation>Сұрау</translation>
    </message>
</context>
<context>
    <name>ReviewWindow</name>
    <message>
        <source>Review: %1</source>
        <translation>Қарау: %1</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>Тексеру</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Нәтиже</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Толығырақ</translation>
    </message>
    <message>
        <source>Verification checks</source>
        <translation>Тұтастықты тексеру</translation>
    </message>
    <message>
        <source>Timeline of segments</source>
        <translation>Сегменттер шкаласы</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>Ойнату</translation>
    </message>
    <message>
        <source>Next event</source>
        <translation>Келесі оқиға</translation>
    </message>
    <message>
        <source>Export excerpt…</source>
        <translation>Үзіндіні экспорттау…</translation>
    </message>
    <message>
        <source>Playback speed</source>
        <translation>Ойнату жылдамдығы</translation>
    </message>
    <message>
        <source>Verifying…</source>
        <translation>Тексерілуде…</translation>
    </message>
    <message>
        <source>INTACT</source>
        <translation>ТҰТАСТЫҒЫ РАСТАЛДЫ</translation>
    </message>
    <message>
        <source>PROBLEMS FOUND</source>
        <translation>БҰЗУШЫЛЫҚТАР АНЫҚТАЛДЫ</translation>
    </message>
    <message>
        <source>%1 checks: %2 failed, %3 warnings</source>
        <translation>Тексеру саны: %1, өтпегені: %2, ескертулер: %3</translation>
    </message>
    <message>
        <source>Segments: %1 intact, %2 tampered, %3 missing, %4 recovered</source>
        <translation>Сегменттер: %1 бүтін, %2 өзгертілген, %3 жоқ, %4 қалпына келтірілген</translation>
    </message>
    <message>
        <source>Refusal to sign recorded by %1: %2 — “%3”</source>
        <translation>Қол қоюдан бас тартуды %1 тіркеді: %2 — «%3»</translation>
    </message>
    <message>
        <source>passed</source>
        <translation>өтті</translation>
    </message>
    <message>
        <source>warning</source>
        <translation>ескерту</translation>
    </message>
    <message>
        <source>FAILED</source>
        <translation>ӨТПЕДІ</translation>
    </message>
    <message>
        <source>loading…</source>
        <translation>жүктелуде…</translation>
    </message>
    <message>
        <source>no recording at this time</source>
        <translation>бұл уақытта жазба жоқ</translation>
    </message>
    <message>
        <source>TAMPERED SEGMENT — NOT PLAYED</source>
        <translation>СЕГМЕНТ ӨЗГЕРТІЛГЕН — ОЙНАТЫЛМАЙДЫ</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Кідірту</translation>
    </message>
    <message>
        <source>Export excerpt</source>
        <translation>Үзіндіні экспорттау</translation>
    </message>
    <message>
        <source>Time range of the excerpt (HH:MM:SS-HH:MM:SS):</source>
        <translation>Үзіндінің уақыт аралығы (СС:ММ:СС-СС:ММ:СС):</translation>
    </message>
    <message>
        <source>Save the excerpt</source>
        <translation>Үзіндіні сақтау</translation>
    </message>
    <message>
        <source>ASiC-E container (*.asice)</source>
        <translation>ASiC-E контейнері (*.asice)</translation>
    </message>
    <message>
        <source>Time range %1: expected HH:MM:SS-HH:MM:SS</source>
        <translation>%1 уақыт аралығы: СС:ММ:СС-СС:ММ:СС күтілген</translation>
    </message>
    <message>
        <source>Excerpt written: %1</source>
        <translation>Үзінді жазылды: %1</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <source>Signaling address</source>
        <translation>Сигналдық сервер мекенжайы</translation>
    </message>
    <message>
        <source>Signaling port</source>
        <translation>Сигналдық сервер порты</translation>
    </message>
    <message>
        <source>TLS for signaling (auto: off only on loopback)</source>
        <translation>Сигналдық серверге арналған TLS (auto: тек loopback-те өшірулі)</translation>
    </message>
    <message>
        <source>TLS certificate (PEM), empty: self-signed</source>
        <translation>TLS сертификаты (PEM); бос болса — өздігінен қол қойылған</translation>
    </message>
    <message>
        <source>TLS private key (PEM)</source>
        <translation>TLS жабық кілті (PEM)</translation>
    </message>
    <message>
        <source>STUN servers, comma-separated</source>
        <translation>STUN серверлері (үтір арқылы)</translation>
    </message>
    <message>
        <source>TURN servers, comma-separated</source>
        <translation>TURN серверлері (үтір арқылы)</translation>
    </message>
    <message>
        <source>TURN user name</source>
        <translation>TURN пайдаланушы аты</translation>
    </message>
    <message>
        <source>TURN credential</source>
        <translation>TURN құпиясөзі</translation>
    </message>
    <message>
        <source>Media addresses of this computer, comma-separated (empty: all)</source>
        <translation>Осы компьютердің медиа мекенжайлары, үтір арқылы (бос: барлығы)</translation>
    </message>
    <message>
        <source>Segment length, seconds (1–10)</source>
        <translation>Сегмент ұзақтығы, секунд (1–10)</translation>
    </message>
    <message>
        <source>Signed checkpoint interval, seconds</source>
        <translation>Қол қойылған бақылау нүктелерінің аралығы, секунд</translation>
    </message>
    <message>
        <source>Warn below this free space, MB</source>
        <translation>Бос орын осыдан аз болса ескерту, МБ</translation>
    </message>
    <message>
        <source>Language of the interface and new protocols</source>
        <translation>Интерфейс пен жаңа хаттамалар тілі</translation>
    </message>
    <message>
        <source>Case system upload address</source>
        <translation>Іс жүйесіне жіберу мекенжайы</translation>
    </message>
    <message>
        <source>Your position</source>
        <translation>Сіздің лауазымыңыз</translation>
    </message>
    <message>
        <source>Your agency</source>
        <translation>Сіздің органыңыз</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>Камера</translation>
    </message>
    <message>
        <source>Microphone</source>
        <translation>Микрофон</translation>
    </message>
    <message>
        <source>Storage folder (empty: the per-user data folder)</source>
        <translation>Сақтау қалтасы (бос болса: пайдаланушының деректер қалтасы)</translation>
    </message>
    <message>
        <source>Signing identity (PKCS#12 file)</source>
        <translation>Қолтаңба кілті (PKCS#12 файлы)</translation>
    </message>
    <message>
        <source>Trust anchors folder</source>
        <translation>Сенімді түбірлік сертификаттар қалтасы</translation>
    </message>
    <message>
        <source>Time-stamping authority (RFC 3161) URL</source>
        <translation>Уақыт белгілері қызметінің мекенжайы (RFC 3161)</translation>
    </message>
    <message>
        <source>Signaling</source>
        <translation>Сигнал беру</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>Желі</translation>
    </message>
    <message>
        <source>Recording</source>
        <translation>Жазба</translation>
    </message>
    <message>
        <source>Interface</source>
        <translation>Интерфейс</translation>
    </message>
    <message>
        <source>Camera and microphone</source>
        <translation>Камера және микрофон</translation>
    </message>
    <message>
        <source>Storage</source>
        <translation>Сақтау орны</translation>
    </message>
    <message>
        <source>Signing</source>
        <translation>Қол қою</translation>
    </message>
    <message>
        <source>Investigator</source>
        <translation>Тергеуші</translation>
    </message>
    <message>
        <source>Upload</source>
        <translation>Жіберу</translation>
    </message>
    <message>
        <source>Trust</source>
        <translation>Сенім</translation>
    </message>
    <message>
        <source>Time-stamps</source>
        <translation>Уақыт белгілері</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Баптаулар</translation>
    </message>
</context>
<context>
    <name>StillViewer</name>
    <message>
        <source>Still No. %1 — %2</source>
        <translation>№ %1 фотосурет — %2</translation>
    </message>
    <message>
        <source>Camera of %1, taken by %2 at %3; %4×%5</source>
        <translation>Камера: %1; түсірген: %2, уақыты %3; %4×%5</translation>
    </message>
    <message>
        <source>Annotation by %1 at %2, marks: %3</source>
        <translation>Белгілерді қойған: %1, уақыты %2; саны: %3</translation>
    </message>
    <message>
        <source>The marks are drawn on a copy; the original still is unchanged.</source>
        <translation>Белгілер көшірмеге салынған; түпнұсқа фотосурет өзгертілмеген.</translation>
    </message>
    <message>
        <source>Opening the still and checking its SHA-256…</source>
        <translation>Фотосурет ашылып, SHA-256 тексерілуде…</translation>
    </message>
    <message>
        <source>The still cannot be shown: %1</source>
        <translation>Фотосуретті көрсету мүмкін емес: %1</translation>
    </message>
</context>
<context>
    <name>StillsPanel</name>
    <message>
        <source>Stills of the action</source>
        <translation>Әрекеттің фотосуреттері</translation>
    </message>
    <message>
        <source>No stills yet: each is taken on the participant's device at full size.</source>
        <translation>Әзірге фотосурет жоқ: әрқайсысы қатысушының құрылғысында толық өлшемде түсіріледі.</translation>
    </message>
    <message>
        <source>Request still…</source>
        <translation>Фотосурет сұрау…</translation>
    </message>
    <message>
        <source>Annotate…</source>
        <translation>Белгі қою…</translation>
    </message>
</context>
<context>
    <name>TextDialog</name>
    <message>
        <source>Your full name</source>
        <translation>Толық аты-жөніңіз</translation>
    </message>
    <message>
        <source>Remarks and corrections</source>
        <translation>Ескертулер мен түзетулер</translation>
    </message>
    <message>
        <source>Reason for refusing</source>
        <translation>Бас тарту себебі</translation>
    </message>
    <message>
        <source>I understand</source>
        <translation>Түсіндім</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>Растау</translation>
    </message>
    <message>
        <source>Refuse to confirm</source>
        <translation>Растаудан бас тарту</translation>
    </message>
</context>
<context>
    <name>TypePage</name>
    <message>
        <source>Action</source>
        <translation>Әрекет</translation>
    </message>
    <message>
        <source>What is being done, and why remotely.</source>
        <translation>Не жүргізіледі және неге қашықтан.</translation>
    </message>
    <message>
        <source>Type of action</source>
        <translation>Әрекет түрі</translation>
    </message>
    <message>
        <source>Ground for remote mode</source>
        <translation>Қашықтан жүргізу негізі</translation>
    </message>
    <message>
        <source>Language of the proceedings</source>
        <translation>Іс жүргізу тілі</translation>
    </message>
</context>
</TS>
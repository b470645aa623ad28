<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="ru_RU">
<context>
    <name>AnnotateDialog</name>
    <message>
        <source>Annotate still %1: %2</source>
        <translation>Разметка снимка %1: %2</translation>
    </message>
    <message>
        <source>Arrow</source>
        <translation>Стрелка</translation>
    </message>
    <message>
        <source>Rectangle</source>
        <translation>Прямоугольник</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Текст</translation>
    </message>
    <message>
        <source>Text to place: choose Text, then click the still</source>
        <translation>Текст для надписи: выберите «Текст» и щёлкните по снимку</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Отменить</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Примечание</translation>
    </message>
    <message>
        <source>Save annotation</source>
        <translation>Сохранить разметку</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Закрыть</translation>
    </message>
    <message>
        <source>Shapes: %1. The still itself is never changed: the annotation is kept beside it.</source>
        <translation>Фигур: %1. Сам снимок никогда не изменяется: разметка хранится рядом с ним.</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Сохранение…</translation>
    </message>
    <message>
        <source>Annotation saved</source>
        <translation>Разметка сохранена</translation>
    </message>
</context>
<context>
    <name>ChooseCosignersDialog</name>
    <message>
        <source>Request co-signatures</source>
        <translation>Запросить подписи</translation>
    </message>
    <message>
        <source>Participants to ask for a co-signature</source>
        <translation>Участники, у которых запрашивается подпись</translation>
    </message>
    <message>
        <source>Send requests</source>
        <translation>Отправить запросы</translation>
    </message>
    <message>
        <source>Who should sign the protocol with their key?</source>
        <translation>Кто должен подписать протокол своим ключом?</translation>
    </message>
    <message>
        <source>Every participant with a key has signed or refused already.</source>
        <translation>Все участники с ключом уже подписали протокол или отказались.</translation>
    </message>
</context>
<context>
    <name>ConfidentialityDialog</name>
    <message>
        <source>Confidentiality of the pre-trial investigation</source>
        <translation>Неразглашение данных досудебного расследования</translation>
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
        <translation>Защитник</translation>
    </message>
    <message>
        <source>Investigator</source>
        <translation>Следователь</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Другое</translation>
    </message>
    <message>
        <source>Your full name</source>
        <translation>Ваши ФИО</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Роль</translation>
    </message>
    <message>
        <source>I have read these rules and accept them</source>
        <translation>Я ознакомлен(а) с этими правилами и принимаю их</translation>
    </message>
</context>
<context>
    <name>CosignDialog</name>
    <message>
        <source>Co-sign a protocol</source>
        <translation>Подписать протокол как участник</translation>
    </message>
    <message>
        <source>Container (.asice)</source>
        <translation>Контейнер (.asice)</translation>
    </message>
    <message>
        <source>Signing identity (PKCS#12)</source>
        <translation>Ключ подписи (PKCS#12)</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Пароль</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Выбрать…</translation>
    </message>
    <message>
        <source>Add my signature</source>
        <translation>Добавить мою подпись</translation>
    </message>
    <message>
        <source>Password of the signing identity</source>
        <translation>Пароль ключа подписи</translation>
    </message>
    <message>
        <source>Container</source>
        <translation>Контейнер</translation>
    </message>
    <message>
        <source>ASiC-E container (*.asice)</source>
        <translation>Контейнер ASiC-E (*.asice)</translation>
    </message>
    <message>
        <source>Signing identity</source>
        <translation>Ключ подписи</translation>
    </message>
    <message>
        <source>PKCS#12 (*.p12 *.pfx)</source>
        <translation>PKCS#12 (*.p12 *.pfx)</translation>
    </message>
    <message>
        <source>Signing…</source>
        <translation>Подписание…</translation>
    </message>
    <message>
        <source>Signature added and verified.</source>
        <translation>Подпись добавлена и проверена.</translation>
    </message>
</context>
<context>
    <name>CosignLinkDialog</name>
    <message>
        <source>Co-sign from a link</source>
        <translation>Подписать по ссылке</translation>
    </message>
    <message>
        <source>Link</source>
        <translation>Ссылка</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Signing identity (PKCS#12)</source>
        <translation>Ключ подписи (PKCS#12)</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Пароль</translation>
    </message>
    <message>
        <source>Or refuse, with the reason</source>
        <translation>Или откажитесь, указав причину</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Открыть</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Выбрать…</translation>
    </message>
    <message>
        <source>Sign the protocol</source>
        <translation>Подписать протокол</translation>
    </message>
    <message>
        <source>Refuse to sign</source>
        <translation>Отказаться от подписи</translation>
    </message>
    <message>
        <source>Co-sign link</source>
        <translation>Ссылка для подписи</translation>
    </message>
    <message>
        <source>PIN of the co-sign request</source>
        <translation>PIN запроса на подпись</translation>
    </message>
    <message>
        <source>Password of the signing identity</source>
        <translation>Пароль ключа подписи</translation>
    </message>
    <message>
        <source>Reason for refusing to sign</source>
        <translation>Причина отказа от подписи</translation>
    </message>
    <message>
        <source>Protocol to sign</source>
        <translation>Протокол для подписи</translation>
    </message>
    <message>
        <source>Paste the link and enter the PIN you were given separately.</source>
        <translation>Вставьте ссылку и введите PIN, который вам передали отдельно.</translation>
    </message>
    <message>
        <source>Signing identity</source>
        <translation>Ключ подписи</translation>
    </message>
    <message>
        <source>PKCS#12 (*.p12 *.pfx)</source>
        <translation>PKCS#12 (*.p12 *.pfx)</translation>
    </message>
    <message>
        <source>Opening the request and checking the protocol…</source>
        <translation>Открываем запрос и проверяем протокол…</translation>
    </message>
    <message>
        <source>%1 asks %2 (%3) to sign the protocol of: %4</source>
        <translation>%1 просит %2 (%3) подписать протокол: %4</translation>
    </message>
    <message>
        <source>Checked: the protocol is the one the link names; the investigator's signature verifies.</source>
        <translation>Проверено: протокол тот, на который указывает ссылка; подпись следователя верна.</translation>
    </message>
    <message>
        <source>DEMO certificates — not a qualified signature.</source>
        <translation>DEMO-сертификаты — не квалифицированная подпись.</translation>
    </message>
    <message>
        <source>Read the protocol, then sign it or refuse with a reason.</source>
        <translation>Прочитайте протокол, затем подпишите его или откажитесь, указав причину.</translation>
    </message>
    <message>
        <source>Signing and sending…</source>
        <translation>Подписываем и отправляем…</translation>
    </message>
    <message>
        <source>Write the reason for refusing first.</source>
        <translation>Сначала напишите причину отказа.</translation>
    </message>
    <message>
        <source>Your signature was accepted and added as %1.</source>
        <translation>Ваша подпись принята и добавлена как %1.</translation>
    </message>
    <message>
        <source>Your refusal and its reason were sent to the investigator.</source>
        <translation>Ваш отказ и его причина отправлены следователю.</translation>
    </message>
</context>
<context>
    <name>CosignRequestsPanel</name>
    <message>
        <source>sent</source>
        <translation>отправлен</translation>
    </message>
    <message>
        <source>opened</source>
        <translation>открыт</translation>
    </message>
    <message>
        <source>signed</source>
        <translation>подписан</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>отказ</translation>
    </message>
    <message>
        <source>expired</source>
        <translation>истёк</translation>
    </message>
    <message>
        <source>withdrawn</source>
        <translation>отозван</translation>
    </message>
    <message>
        <source>locked (wrong PINs)</source>
        <translation>заблокирован (неверные PIN)</translation>
    </message>
    <message>
        <source>refusal recorded</source>
        <translation>отказ записан</translation>
    </message>
    <message>
        <source>Request co-signatures…</source>
        <translation>Запросить подписи…</translation>
    </message>
    <message>
        <source>Record the refusal in the container</source>
        <translation>Записать отказ в контейнер</translation>
    </message>
    <message>
        <source>Adds the refusal and its reason to the container as an addendum signed with your key. The signed protocol and every signature stay unchanged.</source>
        <translation>Добавляет отказ и его причину в контейнер как приложение, подписанное вашим ключом. Подписанный протокол и все подписи остаются без изменений.</translation>
    </message>
    <message>
        <source>Participant</source>
        <translation>Участник</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Роль</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Состояние</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Подробности</translation>
    </message>
    <message>
        <source>Co-signature requests</source>
        <translation>Запросы подписей</translation>
    </message>
    <message>
        <source>Adding a co-signature</source>
        <translation>Добавляем подпись</translation>
    </message>
    <message>
        <source>Recording the refusal</source>
        <translation>Запись отказа</translation>
    </message>
    <message>
        <source>Verifying</source>
        <translation>Проверка</translation>
    </message>
    <message>
        <source>Co-signature of %1 added; the container verifies</source>
        <translation>Подпись %1 добавлена; контейнер проходит проверку</translation>
    </message>
    <message>
        <source>Refusal of %1 recorded in the container; the container verifies</source>
        <translation>Отказ %1 записан в контейнер; контейнер проходит проверку</translation>
    </message>
    <message>
        <source>Refusal of %1 recorded, but the container does not verify</source>
        <translation>Отказ %1 записан, но контейнер не проходит проверку</translation>
    </message>
    <message>
        <source>until %1</source>
        <translation>до %1</translation>
    </message>
</context>
<context>
    <name>Domain</name>
    <message>
        <source>Remote interrogation of a witness</source>
        <translation>Дистанционный допрос свидетеля</translation>
    </message>
    <message>
        <source>Remote interrogation of a victim</source>
        <translation>Дистанционный допрос потерпевшего</translation>
    </message>
    <message>
        <source>Remote inspection</source>
        <translation>Дистанционный осмотр</translation>
    </message>
    <message>
        <source>Remote participation of an expert or specialist</source>
        <translation>Дистанционное участие эксперта или специалиста</translation>
    </message>
    <message>
        <source>Health or another valid reason (Art. 213 p. 1)</source>
        <translation>Состояние здоровья или иная уважительная причина (ст. 213 п. 1)</translation>
    </message>
    <message>
        <source>Safety of the participant (Art. 213 p. 2)</source>
        <translation>Обеспечение безопасности участника (ст. 213 п. 2)</translation>
    </message>
    <message>
        <source>The participant is a minor (Art. 213 p. 3)</source>
        <translation>Участник — несовершеннолетний (ст. 213 п. 3)</translation>
    </message>
    <message>
        <source>Procedural time limits (Art. 213 p. 4)</source>
        <translation>Соблюдение процессуальных сроков (ст. 213 п. 4)</translation>
    </message>
    <message>
        <source>Difficulty or cost of attending (Art. 213 p. 5)</source>
        <translation>Затруднительность или высокая стоимость явки (ст. 213 п. 5)</translation>
    </message>
    <message>
        <source>Witness</source>
        <translation>Свидетель</translation>
    </message>
    <message>
        <source>Victim</source>
        <translation>Потерпевший</translation>
    </message>
    <message>
        <source>Expert</source>
        <translation>Эксперт</translation>
    </message>
    <message>
        <source>Specialist</source>
        <translation>Специалист</translation>
    </message>
    <message>
        <source>Interpreter</source>
        <translation>Переводчик</translation>
    </message>
    <message>
        <source>Defence counsel</source>
        <translation>Защитник</translation>
    </message>
    <message>
        <source>Legal representative</source>
        <translation>Законный представитель</translation>
    </message>
    <message>
        <source>Official at the remote location</source>
        <translation>Должностное лицо в месте нахождения участника</translation>
    </message>
    <message>
        <source>Attesting witness</source>
        <translation>Понятой</translation>
    </message>
    <message>
        <source>planned</source>
        <translation>запланировано</translation>
    </message>
    <message>
        <source>live</source>
        <translation>идёт</translation>
    </message>
    <message>
        <source>sealed</source>
        <translation>запечатано</translation>
    </message>
    <message>
        <source>signed</source>
        <translation>подписано</translation>
    </message>
    <message>
        <source>exported</source>
        <translation>выгружено</translation>
    </message>
    <message>
        <source>uploaded</source>
        <translation>передано</translation>
    </message>
</context>
<context>
    <name>FinishWindow</name>
    <message>
        <source>Preparing the protocol…</source>
        <translation>Протокол готовится…</translation>
    </message>
    <message>
        <source>Finish the action</source>
        <translation>Завершение действия</translation>
    </message>
    <message>
        <source>Open your signing identity to prepare the protocol</source>
        <translation>Откройте ключ подписи, чтобы подготовить протокол</translation>
    </message>
    <message>
        <source>Protocol — check it, then sign</source>
        <translation>Протокол — проверьте, затем подпишите</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Выбрать…</translation>
    </message>
    <message>
        <source>Signing identity (PKCS#12)</source>
        <translation>Ключ подписи (PKCS#12)</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Пароль</translation>
    </message>
    <message>
        <source>Password of the signing identity</source>
        <translation>Пароль ключа подписи</translation>
    </message>
    <message>
        <source>Protocol preview</source>
        <translation>Предпросмотр протокола</translation>
    </message>
    <message>
        <source>Open the identity and prepare the protocol</source>
        <translation>Открыть ключ и подготовить протокол</translation>
    </message>
    <message>
        <source>Corrections and additions (they become part of the protocol):</source>
        <translation>Исправления и дополнения (войдут в протокол):</translation>
    </message>
    <message>
        <source>Corrections and additions</source>
        <translation>Исправления и дополнения</translation>
    </message>
    <message>
        <source>Update the preview</source>
        <translation>Обновить предпросмотр</translation>
    </message>
    <message>
        <source>Sign, verify and put in the outbox</source>
        <translation>Подписать, проверить и поставить в очередь на отправку</translation>
    </message>
    <message>
        <source>Upload token</source>
        <translation>Токен загрузки</translation>
    </message>
    <message>
        <source>Upload to the case system</source>
        <translation>Загрузить в систему учёта дел</translation>
    </message>
    <message>
        <source>Set the upload address in Settings first</source>
        <translation>Сначала укажите адрес загрузки в настройках</translation>
    </message>
    <message>
        <source>Signing identity</source>
        <translation>Ключ подписи</translation>
    </message>
    <message>
        <source>PKCS#12 (*.p12 *.pfx)</source>
        <translation>PKCS#12 (*.p12 *.pfx)</translation>
    </message>
    <message>
        <source>%1 pages</source>
        <translation>Страниц: %1</translation>
    </message>
    <message>
        <source>Ready to sign</source>
        <translation>Готово к подписанию</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Не удалось</translation>
    </message>
    <message>
        <source>Signing</source>
        <translation>Подписание</translation>
    </message>
    <message>
        <source>Verifying</source>
        <translation>Проверка</translation>
    </message>
    <message>
        <source>Uploading</source>
        <translation>Загрузка</translation>
    </message>
    <message>
        <source>Signed and verified</source>
        <translation>Подписано и проверено</translation>
    </message>
    <message>
        <source>Container: %1</source>
        <translation>Контейнер: %1</translation>
    </message>
    <message>
        <source>Signed by: %1</source>
        <translation>Подписал: %1</translation>
    </message>
    <message>
        <source>Queued for upload in %1</source>
        <translation>Поставлено в очередь на отправку: %1</translation>
    </message>
    <message>
        <source>the container with the recorded refusal is queued for upload</source>
        <translation>контейнер с записанным отказом поставлен в очередь на отправку</translation>
    </message>
    <message>
        <source>the co-signed container is queued for upload</source>
        <translation>подписанный контейнер поставлен в очередь на отправку</translation>
    </message>
    <message>
        <source>The co-signed container could not be queued for upload: %1</source>
        <translation>Не удалось поставить подписанный контейнер в очередь на отправку: %1</translation>
    </message>
    <message>
        <source>Delivered; the case system confirmed the SHA-256</source>
        <translation>Доставлено; система подтвердила SHA-256</translation>
    </message>
    <message>
        <source>Upload failed; the container stays in the outbox</source>
        <translation>Загрузка не удалась; контейнер остаётся в очереди</translation>
    </message>
</context>
<context>
    <name>IdentityDialog</name>
    <message>
        <source>Identity of %1</source>
        <translation>Личность: %1</translation>
    </message>
    <message>
        <source>Ask for stills of the ID document and the face</source>
        <translation>Запросить снимки удостоверения личности и лица</translation>
    </message>
    <message>
        <source>IIN</source>
        <translation>ИИН</translation>
    </message>
    <message>
        <source>Document number</source>
        <translation>Номер документа</translation>
    </message>
    <message>
        <source>MRZ lines (optional)</source>
        <translation>Строки MRZ (необязательно)</translation>
    </message>
    <message>
        <source>Check the document data</source>
        <translation>Проверить данные документа</translation>
    </message>
    <message>
        <source>I attest the identity</source>
        <translation>Удостоверяю личность</translation>
    </message>
    <message>
        <source>ID document</source>
        <translation>Удостоверение личности</translation>
    </message>
    <message>
        <source>Face</source>
        <translation>Лицо</translation>
    </message>
    <message>
        <source>Waiting for the stills from the participant's camera…</source>
        <translation>Ожидание снимков с камеры участника…</translation>
    </message>
    <message>
        <source>Both stills arrived intact and are stored as evidence.</source>
        <translation>Оба снимка получены без искажений и сохранены как доказательства.</translation>
    </message>
    <message>
        <source>The document data passed every check.</source>
        <translation>Данные документа прошли все проверки.</translation>
    </message>
    <message>
        <source>Identity attested and logged.</source>
        <translation>Личность удостоверена и занесена в журнал.</translation>
    </message>
</context>
<context>
    <name>InviteDialog</name>
    <message>
        <source>Invitation</source>
        <translation>Приглашение</translation>
    </message>
    <message>
        <source>Invitation for %1</source>
        <translation>Приглашение для: %1</translation>
    </message>
    <message>
        <source>Copy link</source>
        <translation>Копировать ссылку</translation>
    </message>
    <message>
        <source>PIN (tell it by phone or through the local official):</source>
        <translation>PIN (сообщите по телефону или через местное должностное лицо):</translation>
    </message>
    <message>
        <source>The PIN is shown only now and is not stored. Send the link and the PIN by different channels. The link works once and expires in 4 hours.</source>
        <translation>PIN показан только сейчас и не сохраняется. Отправьте ссылку и PIN разными каналами. Ссылка действует один раз и истекает через 4 часа.</translation>
    </message>
    <message>
        <source>Invitation link</source>
        <translation>Ссылка-приглашение</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>QR code of the invitation link</source>
        <translation>QR-код ссылки-приглашения</translation>
    </message>
</context>
<context>
    <name>IssuedRequestsDialog</name>
    <message>
        <source>Co-sign links and PINs</source>
        <translation>Ссылки для подписи и PIN-коды</translation>
    </message>
    <message>
        <source>Send each link, and give the PIN by another channel (phone, in person). The PINs are shown only now. Keep the finish window open until they have signed.</source>
        <translation>Отправьте каждую ссылку, а PIN передайте другим способом (по телефону, лично). PIN-коды показываются только сейчас. Не закрывайте окно завершения, пока они не подпишут.</translation>
    </message>
    <message>
        <source>Server certificate fingerprint (they check it): %1</source>
        <translation>Отпечаток сертификата сервера (они его проверяют): %1</translation>
    </message>
    <message>
        <source>Co-sign link for %1</source>
        <translation>Ссылка для подписи: %1</translation>
    </message>
    <message>
        <source>Copy link</source>
        <translation>Копировать ссылку</translation>
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
        <translation>Снимки</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>№</translation>
    </message>
    <message>
        <source>Still</source>
        <translation>Снимок</translation>
    </message>
    <message>
        <source>Stills and annotations</source>
        <translation>Снимки и пометки</translation>
    </message>
    <message>
        <source>No stills yet. Stills taken and experts' annotations appear here.</source>
        <translation>Снимков пока нет. Здесь появятся сделанные снимки и пометки экспертов.</translation>
    </message>
    <message>
        <source>Open still…</source>
        <translation>Открыть снимок…</translation>
    </message>
    <message>
        <source>camera: %1</source>
        <translation>камера: %1</translation>
    </message>
    <message>
        <source>%1 · by %2</source>
        <translation>%1 · автор: %2</translation>
    </message>
    <message>
        <source>Annotation, marks: %1</source>
        <translation>Пометки, всего: %1</translation>
    </message>
</context>
<context>
    <name>LiveWindow</name>
    <message>
        <source>planned</source>
        <translation>запланирован</translation>
    </message>
    <message>
        <source>invited</source>
        <translation>приглашён</translation>
    </message>
    <message>
        <source>waiting in the lobby</source>
        <translation>в зале ожидания</translation>
    </message>
    <message>
        <source>admitted</source>
        <translation>допущен</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>подключён</translation>
    </message>
    <message>
        <source>connection lost</source>
        <translation>связь потеряна</translation>
    </message>
    <message>
        <source>reconnected</source>
        <translation>переподключён</translation>
    </message>
    <message>
        <source>left</source>
        <translation>вышел</translation>
    </message>
    <message>
        <source>identity verified</source>
        <translation>личность установлена</translation>
    </message>
    <message>
        <source>acknowledged</source>
        <translation>подтвердил</translation>
    </message>
    <message>
        <source>Live session — %1</source>
        <translation>Сеанс — %1</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Продолжить</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Пауза</translation>
    </message>
    <message>
        <source>Stop and seal</source>
        <translation>Остановить и запечатать</translation>
    </message>
    <message>
        <source>Participants</source>
        <translation>Участники</translation>
    </message>
    <message>
        <source>Presence alerts</source>
        <translation>Оповещения о присутствии</translation>
    </message>
    <message>
        <source>Invite</source>
        <translation>Пригласить</translation>
    </message>
    <message>
        <source>Admit</source>
        <translation>Допустить</translation>
    </message>
    <message>
        <source>Decline</source>
        <translation>Отклонить</translation>
    </message>
    <message>
        <source>Ask to acknowledge the step</source>
        <translation>Попросить подтвердить шаг</translation>
    </message>
    <message>
        <source>Read back</source>
        <translation>Огласить</translation>
    </message>
    <message>
        <source>Take a still</source>
        <translation>Сделать снимок</translation>
    </message>
    <message>
        <source>Show an exhibit…</source>
        <translation>Предъявить доказательство…</translation>
    </message>
    <message>
        <source>Identity…</source>
        <translation>Личность…</translation>
    </message>
    <message>
        <source>Stop showing</source>
        <translation>Прекратить показ</translation>
    </message>
    <message>
        <source>Session address: %1</source>
        <translation>Адрес сеанса: %1</translation>
    </message>
    <message>
        <source>Certificate fingerprint (SHA-256): %1</source>
        <translation>Отпечаток сертификата (SHA-256): %1</translation>
    </message>
    <message>
        <source>Start step</source>
        <translation>Начать шаг</translation>
    </message>
    <message>
        <source>Step done</source>
        <translation>Шаг выполнен</translation>
    </message>
    <message>
        <source>Free narrative, in the first person</source>
        <translation>Свободный рассказ, от первого лица</translation>
    </message>
    <message>
        <source>Add to the record</source>
        <translation>Внести в протокол</translation>
    </message>
    <message>
        <source>Question (Enter to record it)</source>
        <translation>Вопрос (Enter — записать)</translation>
    </message>
    <message>
        <source>Answer to the last question (Enter)</source>
        <translation>Ответ на последний вопрос (Enter)</translation>
    </message>
    <message>
        <source>Exhibit shown</source>
        <translation>Предъявлено доказательство</translation>
    </message>
    <message>
        <source>Media played</source>
        <translation>Воспроизведена запись</translation>
    </message>
    <message>
        <source>Break</source>
        <translation>Перерыв</translation>
    </message>
    <message>
        <source>Resumed</source>
        <translation>Возобновлено</translation>
    </message>
    <message>
        <source>Masking…</source>
        <translation>Маскирование…</translation>
    </message>
    <message>
        <source>Testimony so far</source>
        <translation>Показания на данный момент</translation>
    </message>
    <message>
        <source>Free narrative</source>
        <translation>Свободный рассказ</translation>
    </message>
    <message>
        <source>Question</source>
        <translation>Вопрос</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>Ответ</translation>
    </message>
    <message>
        <source>Recording indicator</source>
        <translation>Индикатор записи</translation>
    </message>
    <message>
        <source>PAUSED</source>
        <translation>ПАУЗА</translation>
    </message>
    <message>
        <source>%1 segments sealed, last at %2 · %3 GB free</source>
        <translation>Запечатано сегментов: %1, последний в %2 · свободно %3 ГБ</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Вы</translation>
    </message>
    <message>
        <source>no face</source>
        <translation>лицо не видно</translation>
    </message>
    <message>
        <source>several faces</source>
        <translation>несколько лиц</translation>
    </message>
    <message>
        <source>video %1 fps</source>
        <translation>видео %1 кадр/с</translation>
    </message>
    <message>
        <source>network: %1</source>
        <translation>сеть: %1</translation>
    </message>
    <message>
        <source>weak connection</source>
        <translation>слабая связь</translation>
    </message>
    <message>
        <source>good</source>
        <translation>хорошая</translation>
    </message>
    <message>
        <source>fair</source>
        <translation>средняя</translation>
    </message>
    <message>
        <source>poor</source>
        <translation>плохая</translation>
    </message>
    <message>
        <source>Round trip</source>
        <translation>Время приёма-передачи</translation>
    </message>
    <message>
        <source>Packets lost on the way to us</source>
        <translation>Потеряно пакетов на пути к нам</translation>
    </message>
    <message>
        <source>Packets lost on the way to them</source>
        <translation>Потеряно пакетов на пути к ним</translation>
    </message>
    <message>
        <source>Jitter on the way to us</source>
        <translation>Джиттер на пути к нам</translation>
    </message>
    <message>
        <source>Jitter on the way to them</source>
        <translation>Джиттер на пути к ним</translation>
    </message>
    <message>
        <source>Video frames per second</source>
        <translation>Кадров видео в секунду</translation>
    </message>
    <message>
        <source>Network: %1</source>
        <translation>Сеть: %1</translation>
    </message>
    <message>
        <source>Masking</source>
        <translation>Маскирование</translation>
    </message>
    <message>
        <source>What is masked, and why:</source>
        <translation>Что маскируется и почему:</translation>
    </message>
    <message>
        <source>Reason for the pause</source>
        <translation>Причина паузы</translation>
    </message>
    <message>
        <source>Caption for the photo table:</source>
        <translation>Подпись для фототаблицы:</translation>
    </message>
    <message>
        <source>Show an exhibit</source>
        <translation>Предъявить доказательство</translation>
    </message>
    <message>
        <source>Exhibits (*.png *.jpg *.jpeg *.pdf *.mp4 *.webm *.mkv *.mov *.wav *.mp3 *.m4a)</source>
        <translation>Доказательства (*.png *.jpg *.jpeg *.pdf *.mp4 *.webm *.mkv *.mov *.wav *.mp3 *.m4a)</translation>
    </message>
    <message>
        <source>Page:</source>
        <translation>Страница:</translation>
    </message>
    <message>
        <source>Title shown to the participants:</source>
        <translation>Название, которое увидят участники:</translation>
    </message>
    <message>
        <source>Nobody is connected to be shown the exhibit</source>
        <translation>Нет подключённых участников, которым можно предъявить доказательство</translation>
    </message>
    <message>
        <source>Exhibit %1 shown: %2</source>
        <translation>Предъявлено доказательство %1: %2</translation>
    </message>
    <message>
        <source>Procedure complete</source>
        <translation>Порядок выполнен</translation>
    </message>
    <message>
        <source>Deviation from the procedure</source>
        <translation>Отступление от порядка</translation>
    </message>
    <message>
        <source>Steps before this one are not done. Reason to go on:</source>
        <translation>Предыдущие шаги не выполнены. Причина продолжить:</translation>
    </message>
    <message>
        <source>SEALED</source>
        <translation>ЗАПЕЧАТАНО</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Cases</source>
        <translation>Дела</translation>
    </message>
    <message>
        <source>Search by ERDR number or title</source>
        <translation>Поиск по номеру ЕРДР или названию</translation>
    </message>
    <message>
        <source>Search cases</source>
        <translation>Поиск дел</translation>
    </message>
    <message>
        <source>ERDR number</source>
        <translation>Номер ЕРДР</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Название</translation>
    </message>
    <message>
        <source>Actions</source>
        <translation>Действия</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Создано</translation>
    </message>
    <message>
        <source>No cases yet.
Create one with “New case” (Ctrl+N) using its ERDR number.</source>
        <translation>Дел пока нет.
Создайте дело кнопкой «Новое дело» (Ctrl+N) по его номеру ЕРДР.</translation>
    </message>
    <message>
        <source>New case…</source>
        <translation>Новое дело…</translation>
    </message>
    <message>
        <source>Actions of the selected case</source>
        <translation>Действия по выбранному делу</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Действие</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Состояние</translation>
    </message>
    <message>
        <source>Planned start</source>
        <translation>Плановое начало</translation>
    </message>
    <message>
        <source>New action…</source>
        <translation>Новое действие…</translation>
    </message>
    <message>
        <source>Start the session…</source>
        <translation>Начать сеанс…</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Выход</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>Настройки…</translation>
    </message>
    <message>
        <source>Review a signed container…</source>
        <translation>Просмотр подписанного контейнера…</translation>
    </message>
    <message>
        <source>Review a recording folder…</source>
        <translation>Просмотр папки записи…</translation>
    </message>
    <message>
        <source>Co-sign a protocol…</source>
        <translation>Подписать протокол как участник…</translation>
    </message>
    <message>
        <source>Co-sign from a link…</source>
        <translation>Подписать по ссылке…</translation>
    </message>
    <message>
        <source>Join a session as a participant…</source>
        <translation>Подключиться к сеансу как участник…</translation>
    </message>
    <message>
        <source>About Tergeu</source>
        <translation>О программе Tergeu</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Файл</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Язык</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Справка</translation>
    </message>
    <message>
        <source>Recovered after a crash: %1</source>
        <translation>Восстановлено после сбоя: %1</translation>
    </message>
    <message>
        <source>Review a signed container</source>
        <translation>Просмотр подписанного контейнера</translation>
    </message>
    <message>
        <source>Containers (*.asice)</source>
        <translation>Контейнеры (*.asice)</translation>
    </message>
    <message>
        <source>Review a recording folder</source>
        <translation>Просмотр папки записи</translation>
    </message>
    <message>
        <source>Tergeu — remote investigative actions with verified identities, evidence-grade recording and signed electronic protocols.</source>
        <translation>Tergeu — дистанционные следственные действия с проверкой личности участников, доказательной видеозаписью и подписанными электронными протоколами.</translation>
    </message>
</context>
<context>
    <name>NewActionWizard</name>
    <message>
        <source>New action</source>
        <translation>Новое действие</translation>
    </message>
</context>
<context>
    <name>NewCaseDialog</name>
    <message>
        <source>New case</source>
        <translation>Новое дело</translation>
    </message>
    <message>
        <source>ERDR registration number</source>
        <translation>Регистрационный номер ЕРДР</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Название</translation>
    </message>
</context>
<context>
    <name>ParticipantWindow</name>
    <message>
        <source>Join a session</source>
        <translation>Подключение к сеансу</translation>
    </message>
    <message>
        <source>Invitation link</source>
        <translation>Ссылка-приглашение</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Certificate fingerprint (if the investigator gave one)</source>
        <translation>Отпечаток сертификата (если следователь его сообщил)</translation>
    </message>
    <message>
        <source>Your signing identity (PKCS#12), to prove who you are</source>
        <translation>Ваш ключ подписи (PKCS#12) для подтверждения личности</translation>
    </message>
    <message>
        <source>Password of the signing identity</source>
        <translation>Пароль ключа подписи</translation>
    </message>
    <message>
        <source>Check camera and microphone</source>
        <translation>Проверить камеру и микрофон</translation>
    </message>
    <message>
        <source>Join</source>
        <translation>Подключиться</translation>
    </message>
    <message>
        <source>Hang up</source>
        <translation>Завершить</translation>
    </message>
    <message>
        <source>Your camera</source>
        <translation>Ваша камера</translation>
    </message>
    <message>
        <source>Still requested: %1</source>
        <translation>Снимок запрошен: %1</translation>
    </message>
    <message>
        <source>Annotation of still %1 saved</source>
        <translation>Разметка снимка %1 сохранена</translation>
    </message>
    <message>
        <source>The session has ended: %1</source>
        <translation>Сеанс завершён: %1</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Подключение…</translation>
    </message>
    <message>
        <source>Waiting for the investigator to admit you</source>
        <translation>Ожидайте, пока следователь вас допустит</translation>
    </message>
    <message>
        <source>Admitted</source>
        <translation>Вы допущены</translation>
    </message>
    <message>
        <source>In the session</source>
        <translation>Вы в сеансе</translation>
    </message>
    <message>
        <source>● RECORDING</source>
        <translation>● ИДЁТ ЗАПИСЬ</translation>
    </message>
    <message>
        <source>Exhibit %1: %2</source>
        <translation>Доказательство %1: %2</translation>
    </message>
</context>
<context>
    <name>ParticipantsPage</name>
    <message>
        <source>Participants</source>
        <translation>Участники</translation>
    </message>
    <message>
        <source>Everyone who takes part besides the investigator.</source>
        <translation>Все участники, кроме следователя.</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Роль</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation>ФИО</translation>
    </message>
    <message>
        <source>IIN</source>
        <translation>ИИН</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>Контакт</translation>
    </message>
    <message>
        <source>Add participant</source>
        <translation>Добавить участника</translation>
    </message>
    <message>
        <source>Remove selected</source>
        <translation>Удалить выбранных</translation>
    </message>
    <message>
        <source>Row %1: the full name is empty.</source>
        <translation>Строка %1: не указано ФИО.</translation>
    </message>
    <message>
        <source>Add at least one participant.</source>
        <translation>Добавьте хотя бы одного участника.</translation>
    </message>
</context>
<context>
    <name>PlacePage</name>
    <message>
        <source>Places and time</source>
        <translation>Место и время</translation>
    </message>
    <message>
        <source>Where the investigator and the remote participants are.</source>
        <translation>Где находятся следователь и удалённые участники.</translation>
    </message>
    <message>
        <source>Investigator's place</source>
        <translation>Место нахождения следователя</translation>
    </message>
    <message>
        <source>Remote place (e.g. police office)</source>
        <translation>Удалённое место (например, отдел полиции)</translation>
    </message>
    <message>
        <source>Planned start</source>
        <translation>Плановое начало</translation>
    </message>
    <message>
        <source>Planned duration, minutes</source>
        <translation>Плановая продолжительность, минут</translation>
    </message>
</context>
<context>
    <name>RequestStillDialog</name>
    <message>
        <source>Request a still</source>
        <translation>Запрос снимка</translation>
    </message>
    <message>
        <source>Whose camera</source>
        <translation>Чья камера</translation>
    </message>
    <message>
        <source>What the still shows</source>
        <translation>Что показывает снимок</translation>
    </message>
    <message>
        <source>Nobody whose camera you may see is in the session now.</source>
        <translation>Сейчас в сеансе нет никого, чью камеру вам разрешено видеть.</translation>
    </message>
    <message>
        <source>Request</source>
        <translation>Запросить</translation>
    </message>
</context>
<context>
    <name>ReviewWindow</name>
    <message>
        <source>Review: %1</source>
        <translation>Просмотр: %1</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>Проверка</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Результат</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Подробности</translation>
    </message>
    <message>
        <source>Verification checks</source>
        <translation>Проверки целостности</translation>
    </message>
    <message>
        <source>Timeline of segments</source>
        <translation>Шкала сегментов</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>Воспроизвести</translation>
    </message>
    <message>
        <source>Next event</source>
        <translation>Следующее событие</translation>
    </message>
    <message>
        <source>Export excerpt…</source>
        <translation>Экспорт выдержки…</translation>
    </message>
    <message>
        <source>Playback speed</source>
        <translation>Скорость воспроизведения</translation>
    </message>
    <message>
        <source>Verifying…</source>
        <translation>Проверка…</translation>
    </message>
    <message>
        <source>INTACT</source>
        <translation>ЦЕЛОСТНОСТЬ ПОДТВЕРЖДЕНА</translation>
    </message>
    <message>
        <source>PROBLEMS FOUND</source>
        <translation>ОБНАРУЖЕНЫ НАРУШЕНИЯ</translation>
    </message>
    <message>
        <source>%1 checks: %2 failed, %3 warnings</source>
        <translation>Проверок: %1, не пройдено: %2, предупреждений: %3</translation>
    </message>
    <message>
        <source>Segments: %1 intact, %2 tampered, %3 missing, %4 recovered</source>
        <translation>Сегменты: %1 целы, %2 изменены, %3 отсутствуют, %4 восстановлены</translation>
    </message>
    <message>
        <source>Refusal to sign recorded by %1: %2 — “%3”</source>
        <translation>Отказ от подписи записан %1: %2 — «%3»</translation>
    </message>
    <message>
        <source>passed</source>
        <translation>пройдена</translation>
    </message>
    <message>
        <source>warning</source>
        <translation>предупреждение</translation>
    </message>
    <message>
        <source>FAILED</source>
        <translation>НЕ ПРОЙДЕНА</translation>
    </message>
    <message>
        <source>loading…</source>
        <translation>загрузка…</translation>
    </message>
    <message>
        <source>no recording at this time</source>
        <translation>в это время записи нет</translation>
    </message>
    <message>
        <source>TAMPERED SEGMENT — NOT PLAYED</source>
        <translation>СЕГМЕНТ ИЗМЕНЁН — НЕ ВОСПРОИЗВОДИТСЯ</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Пауза</translation>
    </message>
    <message>
        <source>Export excerpt</source>
        <translation>Экспорт выдержки</translation>
    </message>
    <message>
        <source>Time range of the excerpt (HH:MM:SS-HH:MM:SS):</source>
        <translation>Интервал выдержки (ЧЧ:ММ:СС-ЧЧ:ММ:СС):</translation>
    </message>
    <message>
        <source>Save the excerpt</source>
        <translation>Сохранить выдержку</translation>
    </message>
    <message>
        <source>ASiC-E container (*.asice)</source>
        <translation>Контейнер ASiC-E (*.asice)</translation>
    </message>
    <message>
        <source>Time range %1: expected HH:MM:SS-HH:MM:SS</source>
        <translation>Интервал %1: ожидается ЧЧ:ММ:СС-ЧЧ:ММ:СС</translation>
    </message>
    <message>
        <source>Excerpt written: %1</source>
        <translation>Выдержка сохранена: %1</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <source>Signaling address</source>
        <translation>Адрес сигнального сервера</translation>
    </message>
    <message>
        <source>Signaling port</source>
        <translation>Порт сигнального сервера</translation>
    </message>
    <message>
        <source>TLS for signaling (auto: off only on loopback)</source>
        <translation>TLS для сигнального сервера (auto: отключён только на loopback)</translation>
    </message>
    <message>
        <source>TLS certificate (PEM), empty: self-signed</source>
        <translation>Сертификат TLS (PEM); пусто — самоподписанный</translation>
    </message>
    <message>
        <source>TLS private key (PEM)</source>
        <translation>Закрытый ключ TLS (PEM)</translation>
    </message>
    <message>
        <source>STUN servers, comma-separated</source>
        <translation>Серверы STUN через запятую</translation>
    </message>
    <message>
        <source>TURN servers, comma-separated</source>
        <translation>Серверы TURN через запятую</translation>
    </message>
    <message>
        <source>TURN user name</source>
        <translation>Имя пользователя TURN</translation>
    </message>
    <message>
        <source>TURN credential</source>
        <translation>Пароль TURN</translation>
    </message>
    <message>
        <source>Media addresses of this computer, comma-separated (empty: all)</source>
        <translation>Адреса этого компьютера для медиа, через запятую (пусто: все)</translation>
    </message>
    <message>
        <source>Segment length, seconds (1–10)</source>
        <translation>Длина сегмента, секунд (1–10)</translation>
    </message>
    <message>
        <source>Signed checkpoint interval, seconds</source>
        <translation>Интервал подписанных контрольных точек, секунд</translation>
    </message>
    <message>
        <source>Warn below this free space, MB</source>
        <translation>Предупреждать при свободном месте меньше, МБ</translation>
    </message>
    <message>
        <source>Language of the interface and new protocols</source>
        <translation>Язык интерфейса и новых протоколов</translation>
    </message>
    <message>
        <source>Case system upload address</source>
        <translation>Адрес загрузки в систему учёта дел</translation>
    </message>
    <message>
        <source>Your position</source>
        <translation>Ваша должность</translation>
    </message>
    <message>
        <source>Your agency</source>
        <translation>Ваш орган</translation>
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
        <translation>Папка хранения (пусто: папка данных пользователя)</translation>
    </message>
    <message>
        <source>Signing identity (PKCS#12 file)</source>
        <translation>Ключ подписи (файл PKCS#12)</translation>
    </message>
    <message>
        <source>Trust anchors folder</source>
        <translation>Папка доверенных корневых сертификатов</translation>
    </message>
    <message>
        <source>Time-stamping authority (RFC 3161) URL</source>
        <translation>Адрес службы меток времени (RFC 3161)</translation>
    </message>
    <message>
        <source>Signaling</source>
        <translation>Сигнализация</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>Сеть</translation>
    </message>
    <message>
        <source>Recording</source>
        <translation>Запись</translation>
    </message>
    <message>
        <source>Interface</source>
        <translation>Интерфейс</translation>
    </message>
    <message>
        <source>Camera and microphone</source>
        <translation>Камера и микрофон</translation>
    </message>
    <message>
        <source>Storage</source>
        <translation>Хранилище</translation>
    </message>
    <message>
        <source>Signing</source>
        <translation>Подписание</translation>
    </message>
    <message>
        <source>Investigator</source>
        <translation>Следователь</translation>
    </message>
    <message>
        <source>Upload</source>
        <translation>Загрузка</translation>
    </message>
    <message>
        <source>Trust</source>
        <translation>Доверие</translation>
    </message>
    <message>
        <source>Time-stamps</source>
        <translation>Метки времени</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Настройки</translation>
    </message>
</context>
<context>
    <name>StillViewer</name>
    <message>
        <source>Still No. %1 — %2</source>
        <translation>Снимок № %1 — %2</translation>
    </message>
    <message>
        <source>Camera of %1, taken by %2 at %3; %4×%5</source>
        <translation>Камера: %1; снимок сделал(а): %2 в %3; %4×%5</translation>
    </message>
    <message>
        <source>Annotation by %1 at %2, marks: %3</source>
        <translation>Пометки: %1, в %2; всего: %3</translation>
    </message>
    <message>
        <source>The marks are drawn on a copy; the original still is unchanged.</source>
        <translation>Пометки нанесены на копию; исходный снимок не изменён.</translation>
    </message>
    <message>
        <source>Opening the still and checking its SHA-256…</source>
        <translation>Снимок открывается, SHA-256 проверяется…</translation>
    </message>
    <message>
        <source>The still cannot be shown: %1</source>
        <translation>Снимок нельзя показать: %1</translation>
    </message>
</context>
<context>
    <name>StillsPanel</name>
    <message>
        <source>Stills of the action</source>
        <translation>Фотоснимки действия</translation>
    </message>
    <message>
        <source>No stills yet: each is taken on the participant's device at full size.</source>
        <translation>Снимков пока нет: каждый делается на устройстве участника в полном размере.</translation>
    </message>
    <message>
        <source>Request still…</source>
        <translation>Запросить снимок…</translation>
    </message>
    <message>
        <source>Annotate…</source>
        <translation>Разметить…</translation>
    </message>
</context>
<context>
    <name>TextDialog</name>
    <message>
        <source>Your full name</source>
        <translation>Ваши фамилия, имя, отчество</translation>
    </message>
    <message>
        <source>Remarks and corrections</source>
        <translation>Замечания и исправления</translation>
    </message>
    <message>
        <source>Reason for refusing</source>
        <translation>Причина отказа</translation>
    </message>
    <message>
        <source>I understand</source>
        <translation>Мне понятно</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>Подтвердить</translation>
    </message>
    <message>
        <source>Refuse to confirm</source>
        <translation>Отказаться подтвердить</translation>
    </message>
</context>
<context>
    <name>TypePage</name>
    <message>
        <source>Action</source>
        <translation>Действие</translation>
    </message>
    <message>
        <source>What is being done, and why remotely.</source>
        <translation>Что проводится и почему дистанционно.</translation>
    </message>
    <message>
        <source>Type of action</source>
        <translation>Вид действия</translation>
    </message>
    <message>
        <source>Ground for remote mode</source>
        <translation>Основание дистанционного проведения</translation>
    </message>
    <message>
        <source>Language of the proceedings</source>
        <translation>Язык производства</translation>
    </message>
</context>
</TS>
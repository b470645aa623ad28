<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="ru_RU">
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
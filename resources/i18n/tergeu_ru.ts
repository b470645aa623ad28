<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="ru_RU">
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
        <source>Quit</source>
        <translation>Выход</translation>
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
        <source>Tergeu — remote investigative actions with verified identities, evidence-grade recording and signed electronic protocols.</source>
        <translation>Tergeu — дистанционные следственные действия с проверкой личности участников, доказательной видеозаписью и подписанными электронными протоколами.</translation>
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
</TS>
# Shaqyru: the web UI's words in Russian.

skip-to-content = Перейти к содержимому
nav-label = Главное меню
nav-work = Рабочий список
nav-intake = Новое заявление
nav-dashboard = Контроль сроков
nav-handbook = Справочник бизнес-процессов
language = Язык
logout = Выйти
footer = Shaqyru · оформление приглашений по частным делам
back-to-work = Вернуться к рабочему списку
optional = необязательно
choose = Выберите
invitee = Приглашаемое лицо

role-supervisor = Контролёр сроков
role-admin = Администратор

login-title = Вход в систему
login-user = Имя пользователя
login-password = Пароль
login-submit = Войти
login-bad-credentials = Неверное имя пользователя или пароль.
login-locked = Слишком много неудачных попыток: учётная запись заблокирована до { $until }.
login-or = или
login-oidc = Войти через { $provider }
login-oidc-off = Вход через провайдера идентификации на этом сервисе не настроен.
login-oidc-unavailable = Провайдер идентификации сейчас недоступен. Повторите позже или войдите по паролю.
login-oidc-refused = Вход через провайдера идентификации не удался (он отменён, устарел или уже использован). Начните заново со страницы входа.
login-oidc-not-linked = Провайдер идентификации подтвердил вашу личность, но с вами не связана ни одна активная учётная запись этого сервиса. Попросите администратора связать вашу учётную запись.

work-title = Рабочий список
work-caption = Открытые задачи подразделения, ближайший срок первым
work-empty = По этому фильтру задач нет.
filters = Фильтры
filter-all = Все
filter-overdue = Просроченные
filter-at_risk = Под угрозой
filter-today = Сегодня
filter-mine = Мои
col-reference = Номер
col-step = Шаг
col-limit = Срок
col-due = Выполнить до
col-status = Состояние
col-unit = Подразделение
col-late-by = Просрочка
col-when = Когда
col-who = Кто
col-what = Что произошло
col-role = Роль
col-system = Информационная система
col-name = Наименование
col-count = Всего
col-median = Медиана
col-p90 = 90-й процентиль
col-allowed = Отведено
status-on_time = В срок
status-at_risk = Под угрозой
status-overdue = Просрочено
assigned-to = Исполнитель:
escalated = Передано руководству
due-not-set = срок не установлен
time-left = осталось { $span }
time-late = просрочено на { $span }
span-days = { $n ->
    [one] { $n } день
    [few] { $n } дня
   *[other] { $n } дней
}
span-hours = { $n } ч
span-minutes = { $n } мин

limit-working-minutes = { $n ->
    [one] { $n } рабочая минута
    [few] { $n } рабочие минуты
   *[other] { $n } рабочих минут
}
limit-working-hours = { $n ->
    [one] { $n } рабочий час
    [few] { $n } рабочих часа
   *[other] { $n } рабочих часов
}
limit-working-days = { $n ->
    [one] { $n } рабочий день
    [few] { $n } рабочих дня
   *[other] { $n } рабочих дней
}
limit-calendar-days = { $n ->
    [one] { $n } календарный день
    [few] { $n } календарных дня
   *[other] { $n } календарных дней
}
limit-on-ready-date = в день готовности

month-1 = января
month-2 = февраля
month-3 = марта
month-4 = апреля
month-5 = мая
month-6 = июня
month-7 = июля
month-8 = августа
month-9 = сентября
month-10 = октября
month-11 = ноября
month-12 = декабря

intake-title = Приём заявления
intake-new = Новое заявление
intake-add-invitee = Добавить приглашаемое лицо
intake-remove-invitee = Удалить приглашаемое лицо
intake-review = Проверить ответы
section-applicant = Заявитель
section-invitees = Приглашаемые лица
section-trip = Поездка
section-documents = Представленные документы
problems-title = В заявлении есть ошибки
error-prefix = Ошибка:
field-iin = ИИН
field-surname = Фамилия
field-given-names = Имя
field-patronymic = Отчество
field-full-name = Фамилия, имя, отчество
field-address = Адрес проживания
field-phone = Телефон
field-mrz = Машиночитаемая зона паспорта (MRZ)
field-sex = Пол
field-birth-date = Дата рождения
field-citizenship = Гражданство
field-passport = Номер паспорта
field-passport-expires = Паспорт действителен до
field-purpose = Цель поездки
field-stay = Период пребывания
field-stay-from = Дата въезда
field-stay-to = Дата выезда
field-entries = Кратность въезда
field-places = Населённые пункты посещения
field-branch = Отдел Госкорпорации
field-provider = Услугодатель
field-edition = Редакция регламента
hint-iin = 12 цифр; контрольная цифра проверяется.
hint-latin = Латинскими буквами, как в паспорте.
hint-mrz = Две нижние строки паспорта. Пустые поля заполнятся из них, заполненные будут сверены.
hint-citizenship = Трёхбуквенный код из паспорта, например DEU.
hint-places = Каждый населённый пункт с новой строки.
hint-documents = Отметьте документы, которые сдал заявитель.
sex-m = Мужской
sex-f = Женский
entries-single = Однократный
entries-double = Двукратный
entries-multiple = Многократный

ferr-required = Заполните это поле.
ferr-iin-invalid = ИИН неверен: нужно 12 цифр и верная контрольная цифра.
ferr-iin-future-birth-date = По ИИН дата рождения в будущем.
ferr-date-invalid = Такой даты нет.
ferr-stay-not-future = Поездка должна начинаться после сегодняшнего дня.
ferr-stay-ends-before-start = Дата выезда раньше даты въезда.
ferr-stay-too-long = Период пребывания не более 365 дней.
ferr-invitees-none = Укажите хотя бы одно приглашаемое лицо.
ferr-invitees-too-many = В одном заявлении не более 20 приглашаемых лиц.
ferr-name-not-latin = Напишите имя латинскими буквами, как в паспорте.
ferr-sex-invalid = Выберите пол.
ferr-birth-date-future = Дата рождения должна быть в прошлом.
ferr-citizenship-invalid = Гражданство: трёхбуквенный код, как в паспорте.
ferr-citizenship-kazakhstan = Гражданину Казахстана приглашение не нужно.
ferr-passport-invalid = Номер паспорта неверен.
ferr-passport-expired = Срок действия паспорта истёк.
ferr-passport-expires-during-stay = Паспорт истекает до окончания поездки.
ferr-mrz-invalid = Машиночитаемая зона не прочитана: введите обе строки полностью.
ferr-mrz-mismatch = Не совпадает с машиночитаемой зоной паспорта.
ferr-entries-invalid = Выберите кратность въезда.
ferr-places-none = Укажите хотя бы один населённый пункт.
ferr-document-unknown = Этого документа нет в перечне.

review-title = Проверьте ответы
review-presented = Представлены:
review-missing = Не хватает документов. Заявление принять нельзя: выдаётся расписка об отказе в приёме.
review-edit = Изменить
review-checks = Проверки у окна
review-identified = Личность заявителя установлена по удостоверению личности
review-residence = Сведения о регистрации по месту жительства проверены
review-accept = Принять заявление
review-refuse = Отказать в приёме
review-incomplete = Пакет документов неполный: заявление принять нельзя.
review-confirm-checks = Перед приёмом подтвердите обе проверки.

receipt-accepted-title = Заявление принято
receipt-refused-title = В приёме заявления отказано
receipt-reference = Номер заявления:
receipt-ready-on = Результат будет готов:
receipt-accepted-note = Результат выдаётся в этом же отделе Госкорпорации. Распечатайте расписку и передайте заявителю.
receipt-refused-note = Не представлены документы:
receipt-open-case = Открыть дело

case-title = Дело { $reference }
case-open = На рассмотрении
case-term = Результат будет готов:
case-now = Текущие шаги
case-show-on-diagram = показать на схеме
case-deadline-how = Как рассчитан срок
case-actions = Ваши действия
case-send-via = Отправить:
case-documents = Документы
case-signed = подписан
case-timeline = История дела
case-coordination-only = Вы видите то, что содержит запрос на согласование: лиц для проверки, поездку и вашу задачу. Документы дела и работа других подразделений не показываются.
case-views = Кто просматривал дело
col-from = Откуда
view-case = дело
view-receipt = страница расписки
view-document = документ
view-coordination = запрос на согласование
case-diagram = Схема процесса
input-missing = Недостающие документы
input-assignee = Исполнитель
input-grounds = Основания отказа
input-reasoning = Обоснование
input-days = Продление, календарных дней (до 30)
input-reason = Причина продления
result-refused_to_accept = Отказано в приёме
result-invitation_issued = Приглашение выдано
result-refused = Отказано в оказании услуги
event-case-opened = Заявление зарегистрировано под номером { $reference }
event-task-opened = Открыт шаг: { $step }
event-outcome = { $step }: { $outcome }
event-deadline = Срок: { $due }
event-term = Срок оказания услуги: { $date }
event-flag-at-risk = Срок под угрозой
event-flag-overdue = Срок просрочен
event-term-overrun = Срок оказания услуги истёк
event-document = Подготовлен документ: { $document }
event-document-issued = Оформлен документ: { $document }
event-closed = Дело закрыто: { $result }

refusal-not_allowed_to_open = Ваша роль не открывает дела.
refusal-open_for_other_unit = Нельзя открыть дело для другого подразделения.
refusal-already_open = Это дело уже открыто.
refusal-no_such_case = Такого дела нет.
refusal-case_closed = Дело закрыто.
refusal-unknown_step = Такого шага нет.
refusal-step_not_open = Этот шаг сейчас не открыт; страница обновлена.
refusal-wrong_role = Этот шаг выполняет другая роль.
refusal-wrong_unit = Этот шаг относится к другому подразделению.
refusal-assigned_to_someone_else = Этот шаг назначен другому сотруднику.
refusal-unknown_outcome = Такого результата нет.
refusal-outcome_needed = Выберите результат.
refusal-outcome_not_allowed = В текущем состоянии дела этот результат недопустим.
refusal-chosen_by_system = Результат этого шага определяет внешняя система.
refusal-answer_needed = Нужен ответ внешней системы.
refusal-unexpected_answer = Неожиданный ответ внешней системы.
refusal-input_needed = Заполните необходимые сведения.
refusal-input_not_expected = Для этого результата дополнительные сведения не нужны.
refusal-bad_input = Введённые сведения неверны.

error-title = Действие не выполнено
error-form-token = Форма устарела или отправлена с другой страницы. Обновите страницу и повторите.
error-unavailable = Сервис временно недоступен. Повторите через минуту; введённые данные сохранены.
error-system-unavailable = Внешняя система не ответила. Ничего не изменено; повторите позже.
error-conflict = Дело за это время изменилось. Страница обновлена: проверьте и повторите.
error-not-found = Такого дела или документа нет.
error-purged = Персональные данные этого дела удалены { $date } по правилу хранения «{ $rule }»: данных и документов больше нет; его этапы по-прежнему учитываются в отчёте о соблюдении сроков.
error-forbidden = У вас нет права на это действие.
error-bad-request = Неверный запрос.
error-no-signing-key = Нет ключа подписанта: обратитесь к администратору.
error-date = «{ $value }» не является датой.
error-days = Укажите число дней продления цифрами.

dashboard-title = Контроль сроков
period-from = Начало периода
period-to = Конец периода
period-show = Показать
dashboard-csv = Скачать CSV
dashboard-done = Выполнено задач
dashboard-on-time = В срок
dashboard-late = С опозданием
dashboard-overdue = Просроченные открытые задачи
dashboard-none-overdue = Просроченных задач нет.
dashboard-nothing-done = За этот период задач не выполнено.
dashboard-by-step = По шагам
dashboard-by-unit = По подразделениям

handbook-title = Справочник бизнес-процессов
handbook-edition = Редакция
handbook-act = Приказ от { $date } № { $number }
handbook-steps = Шаги
handbook-bpmn = Скачать файл BPMN 2.0

nav-outbox = Внешние системы
outbox-title = Запросы во внешние системы
outbox-intro = Запросы, на которые внешние системы не ответили или ответили отказом. Остановленный запрос отправьте снова, когда причина устранена.
outbox-dead = Остановленные запросы
outbox-none-dead = Остановленных запросов нет.
outbox-pending = Запросы в очереди
outbox-none-pending = Очередь пуста.
outbox-call = Запрос
outbox-attempts = Попыток
outbox-given-up = Остановлен
outbox-next-try = Следующая попытка
outbox-error = Последняя ошибка
outbox-retry = Отправить снова
